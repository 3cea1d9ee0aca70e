"""Who may call the delivery service's routes: the role sets, in one place."""

from __future__ import annotations

from towngrid_kit.auth import Role

STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)
FIELD = (*STAFF, Role.COMPOUND_VOLUNTEER)
ORDER_TAKERS = (*FIELD, Role.MERCHANT)  # staff proxy shopping; a merchant or platform taking an online order
READERS = (*FIELD, Role.MERCHANT)
FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)  # town-wide counts, no personal data
