"""Who may call the registry's routes: the role sets, in one place, and the
caller each set admits, for a route's signature (``principal: Staff``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from towngrid_kit.auth import Principal, Role, require_roles

ADMIN = (Role.TOWN_ADMIN,)
Admin = Annotated[Principal, Depends(require_roles(*ADMIN))]

STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)  # the town and the communities
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]

CHECKERS = (*STAFF, Role.COMPOUND_VOLUNTEER)  # and the compounds' volunteers at their gates
Checker = Annotated[Principal, Depends(require_roles(*CHECKERS))]

UNMASKERS = STAFF  # who may read personal data unmasked (a volunteer, reviewer or subscriber never)
Unmasker = Annotated[Principal, Depends(require_roles(*UNMASKERS))]

AUDITORS = ADMIN
Auditor = Annotated[Principal, Depends(require_roles(*AUDITORS))]

FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)  # town-wide counts, no personal data
FigureReader = Annotated[Principal, Depends(require_roles(*FIGURE_READERS))]
