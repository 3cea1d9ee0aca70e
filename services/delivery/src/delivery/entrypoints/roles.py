"""Who may call the delivery service's routes: the role sets, in one place, and the
caller each set admits, for a route's signature (``principal: Staff``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from towngrid_kit.auth import Principal, Role, require_roles

STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)
Staff = Annotated[Principal, Depends(require_roles(*STAFF))]

FIELD = (*STAFF, Role.COMPOUND_VOLUNTEER)
FieldWorker = Annotated[Principal, Depends(require_roles(*FIELD))]

ORDER_TAKERS = (*FIELD, Role.MERCHANT)  # staff proxy shopping; a merchant or platform taking an online order
OrderTaker = Annotated[Principal, Depends(require_roles(*ORDER_TAKERS))]

READERS = (*FIELD, Role.MERCHANT)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]

FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)  # town-wide counts, no personal data
FigureReader = Annotated[Principal, Depends(require_roles(*FIGURE_READERS))]

PRICE_LIST_KEEPERS = (*STAFF, Role.MERCHANT)  # a merchant its own list; staff those of their community
PriceListKeeper = Annotated[Principal, Depends(require_roles(*PRICE_LIST_KEEPERS))]
