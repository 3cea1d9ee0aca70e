"""What every labor route module shares: the service and the role sets allowed to call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from towngrid_kit.auth import Role
from labor.bootstrap import Labor

OFFICERS = (Role.TOWN_ADMIN, Role.EMPLOYER_LIAISON)
STAFF = (*OFFICERS, Role.COMMUNITY_OFFICER)
GRID_STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # residents' opt-in registration is a grid task
FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)


def labor(request: Request) -> Labor:
    return request.app.state.labor


Service = Annotated[Labor, Depends(labor)]

