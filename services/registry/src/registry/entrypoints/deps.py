"""The registry's use cases a route depends on that more than one route module shares."""

from __future__ import annotations

from typing import Annotated

from towngrid_kit.http import from_state

from registry.service.residents import ResidentService

Residents = Annotated[ResidentService, from_state("residents")]
