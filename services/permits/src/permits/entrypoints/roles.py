"""Who may call the permits service's routes: the role sets, in one place."""

from __future__ import annotations

from towngrid_kit.auth import Role

COUNTER_STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # applications at a window or service point
READERS = (*COUNTER_STAFF, Role.PERMIT_REVIEWER)
DECIDERS = (Role.PERMIT_REVIEWER, Role.TOWN_ADMIN)  # review steps (an admin decides escalated ones)
APPEAL_FILERS = COUNTER_STAFF
APPEAL_DECIDERS = (Role.TOWN_ADMIN,)
FIGURE_READERS = (*COUNTER_STAFF, Role.COUNTY_SUBSCRIBER)
CHECKPOINT_STAFF = (*COUNTER_STAFF, Role.COMPOUND_VOLUNTEER)
