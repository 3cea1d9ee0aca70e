"""Marks for endpoints that do not name a set of roles."""

from towngrid_kit.auth import Role

PUBLIC = frozenset({"public"})  # no token needed (public intake, verification)
ANY = frozenset(Role)  # any valid staff token
