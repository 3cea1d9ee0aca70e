"""Who may call the labor service's routes: the role sets, in one place."""

from __future__ import annotations

from towngrid_kit.auth import Role

OFFICERS = (Role.TOWN_ADMIN, Role.EMPLOYER_LIAISON)
STAFF = (*OFFICERS, Role.COMMUNITY_OFFICER)
GRID_STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # residents' opt-in registration is a grid task
FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)
