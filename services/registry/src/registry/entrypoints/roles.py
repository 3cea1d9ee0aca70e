"""Who may call the registry's routes: the role sets, in one place."""

from __future__ import annotations

from towngrid_kit.auth import Role

ADMIN = (Role.TOWN_ADMIN,)
STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # the town and the communities
CHECKERS = (*STAFF, Role.COMPOUND_VOLUNTEER)  # and the compounds' volunteers at their gates
UNMASKERS = STAFF  # who may read personal data unmasked (a volunteer, reviewer or subscriber never)
AUDITORS = ADMIN
