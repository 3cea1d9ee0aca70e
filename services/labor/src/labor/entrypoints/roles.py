"""Who may call the labor service's routes: the role sets, in one place, and the
caller each set admits, for a route's signature (``principal: Staff``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from towngrid_kit.auth import Principal, Role, require_roles

ADMIN = (Role.TOWN_ADMIN,)
Admin = Annotated[Principal, Depends(require_roles(*ADMIN))]

OFFICERS = (Role.TOWN_ADMIN, Role.EMPLOYER_LIAISON)
Officer = Annotated[Principal, Depends(require_roles(*OFFICERS))]

STAFF = (*OFFICERS, Role.COMMUNITY_OFFICER)
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]

GRID_STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # residents' opt-in registration is a grid task
GridStaff = Annotated[Principal, Depends(require_roles(*GRID_STAFF))]

FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)
FigureReader = Annotated[Principal, Depends(require_roles(*FIGURE_READERS))]
