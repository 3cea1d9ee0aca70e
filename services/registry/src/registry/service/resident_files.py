"""Loading and saving a resident's file: the base of the resident use cases (``ResidentService``).

One change of a file is the kit's unit of work: load, a domain method, save (state and events
at once), retried on a concurrent modification and serialised per resident within this process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone

from towngrid_kit.errors import NotFound
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.grid_repository import GridRepository
from registry.adapters.repository import ResidentRepository
from registry.domain.decisions import DEFAULT_QUARANTINE_REASONS, ReasonCodes
from registry.domain.resident import Resident
from registry.domain.risk_areas import RiskAreas


class ResidentFiles:
    """A resident's file loaded, changed by the domain and saved; the use cases build on it."""

    def __init__(self, repository: ResidentRepository, risk_areas: RiskAreas, grids: GridRepository,
                 town_id: str, tz: timezone, reasons: ReasonCodes | None = None) -> None:
        self._tz = tz
        self.reasons = reasons or ReasonCodes(DEFAULT_QUARANTINE_REASONS, "quarantine")
        self._repo = repository
        self._risk_areas = risk_areas
        self._grids = grids
        self._town_id = town_id
        self._files = UnitOfWork(repository, "resident")

    @property
    def repository(self) -> ResidentRepository:
        return self._repo

    async def get(self, resident_id: str) -> Resident:
        return await self._files.get(resident_id)

    async def change(self, resident_id: str, change: Callable[[Resident], object]) -> Resident:
        """One domain change of a resident's file, stored with its events (for other use cases, e.g. appeals)."""
        return await self._files.change(resident_id, change)

    async def _count_and_save(self, resident_id: str, record: Callable[[Resident], int]) -> int:
        """Let ``record`` note what is due (it returns how many); stored only if it noted any."""
        return await self._files.outcome(resident_id, record)

    async def _change_if_known(self, resident_id: str, change: Callable[[Resident], bool]) -> bool:
        """Apply a change that says whether it changed anything; False (nothing done) for a resident
        this registry does not know."""
        try:
            return await self._files.outcome(resident_id, change)
        except NotFound:
            return False
