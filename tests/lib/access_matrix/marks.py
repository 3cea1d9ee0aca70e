"""Marks for the access matrix: endpoints that name no set of roles, and how scope applies."""

from towngrid_kit.auth import Role

PUBLIC = frozenset({"public"})  # no token needed (public intake, verification)
ANY = frozenset(Role)  # any valid staff token

# The role sets that recur across the services' matrices:
ADMIN = frozenset({Role.TOWN_ADMIN})  # the town only
STAFF = ADMIN | {Role.COMMUNITY_OFFICER}  # the town and the communities
CHECKERS = STAFF | {Role.COMPOUND_VOLUNTEER}  # and the compounds' volunteers at their gates
FIGURE_READERS = STAFF | {Role.COUNTY_SUBSCRIBER}  # aggregate figures: staff and the county
STAFF_OR_SHOP = STAFF | {Role.MERCHANT}  # the grid's staff, or the merchant (for its own shop)
CHECKERS_OR_SHOP = CHECKERS | {Role.MERCHANT}
ADMIN_OR_LIAISON = ADMIN | {Role.EMPLOYER_LIAISON}  # the town, or the enterprise's liaison (for its own enterprise)
LIAISON_OR_STAFF = STAFF | {Role.EMPLOYER_LIAISON}
ADMIN_OR_REVIEWER = ADMIN | {Role.PERMIT_REVIEWER}
STAFF_OR_REVIEWER = STAFF | {Role.PERMIT_REVIEWER}

# How the caller's scope limits an endpoint (every non-public endpoint has one, in SCOPE):
GRID = "grid"  # the thing's community/compound must lie in the token's grid scope; lists are filtered
OWN = "own"  # only the caller's own organisation's things (a merchant's shop, an employer's enterprise)
DEPARTMENT = "department"  # a permit reviewer sees and decides only for their own department
TOWN = "town"  # town-wide and free of personal data (the grid, policies, aggregate figures)
