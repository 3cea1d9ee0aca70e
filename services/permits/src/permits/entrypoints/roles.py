"""Who may call the permits service's routes: the role sets, in one place, and the
caller each set admits, for a route's signature (``principal: Staff``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from towngrid_kit.auth import Principal, Role, require_roles

ADMIN = (Role.TOWN_ADMIN,)
Admin = Annotated[Principal, Depends(require_roles(*ADMIN))]

COUNTER_STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # applications at a window or service point
CounterStaff = Annotated[Principal, Depends(require_roles(*COUNTER_STAFF))]

READERS = (*COUNTER_STAFF, Role.PERMIT_REVIEWER)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]

DECIDERS = (Role.PERMIT_REVIEWER, Role.TOWN_ADMIN)  # review steps (an admin decides escalated ones)
Decider = Annotated[Principal, Depends(require_roles(*DECIDERS))]

APPEAL_FILERS = COUNTER_STAFF
AppealFiler = Annotated[Principal, Depends(require_roles(*APPEAL_FILERS))]

APPEAL_DECIDERS = (Role.TOWN_ADMIN,)
AppealDecider = Annotated[Principal, Depends(require_roles(*APPEAL_DECIDERS))]

FIGURE_READERS = (*COUNTER_STAFF, Role.COUNTY_SUBSCRIBER)
FigureReader = Annotated[Principal, Depends(require_roles(*FIGURE_READERS))]

CHECKPOINT_STAFF = (*COUNTER_STAFF, Role.COMPOUND_VOLUNTEER)
