"""What every labor route module shares: the service (its role sets are in ``roles``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from labor.bootstrap import Labor


def labor(request: Request) -> Labor:
    return request.app.state.labor


Service = Annotated[Labor, Depends(labor)]

