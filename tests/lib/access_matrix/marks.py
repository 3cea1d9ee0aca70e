"""Marks for the access matrix: endpoints that name no set of roles, and how scope applies."""

from towngrid_kit.auth import Role

PUBLIC = frozenset({"public"})  # no token needed (public intake, verification)
ANY = frozenset(Role)  # any valid staff token

# How the caller's scope limits an endpoint (every non-public endpoint has one, in SCOPE):
GRID = "grid"  # the thing's community/compound must lie in the token's grid scope; lists are filtered
OWN = "own"  # only the caller's own organisation's things (a merchant's shop, an employer's enterprise)
DEPARTMENT = "department"  # a permit reviewer sees and decides only for their own department
TOWN = "town"  # town-wide and free of personal data (the grid, policies, aggregate figures)
