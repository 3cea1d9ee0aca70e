"""What every delivery route module shares: the services (its role sets are in ``roles``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from delivery.bootstrap import Services


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]
