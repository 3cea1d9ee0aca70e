"""The grid-scope guard as a FastAPI dependency (the checks themselves are in ``registry.service.scope``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from registry.service.scope import ScopeGuard


def scope_guard(request: Request) -> ScopeGuard:
    return request.app.state.scope


Guard = Annotated[ScopeGuard, Depends(scope_guard)]
