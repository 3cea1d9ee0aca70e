"""What every delivery route module shares: the services, and the role sets allowed to call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from towngrid_kit.auth import Role

from delivery.bootstrap import Services

STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)
FIELD = (*STAFF, Role.COMPOUND_VOLUNTEER)
ORDER_TAKERS = (*FIELD, Role.MERCHANT)  # staff proxy shopping; a merchant or platform taking an online order
READERS = (*FIELD, Role.MERCHANT)


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]
