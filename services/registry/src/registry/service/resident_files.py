"""Loading and saving a resident's file: the base of the resident use cases (``ResidentService``).

One change of a file is load, a domain method, save (state and events at once), retried on a
concurrent modification and serialised per resident within this process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone

from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import NotFound
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
        self._locks = KeyedLocks()

    @property
    def repository(self) -> ResidentRepository:
        return self._repo

    @property
    def tz(self) -> timezone:
        return self._tz

    async def get(self, resident_id: str) -> Resident:
        resident = await self._repo.get(resident_id)
        if resident is None:
            raise NotFound(f"no resident {resident_id}")
        return resident

    async def change(self, resident_id: str, change: Callable[[Resident], object]) -> Resident:
        """One domain change of a resident's file, stored with its events (for other use cases, e.g. appeals)."""
        return await self._change(resident_id, change)

    async def _count_and_save(self, resident_id: str, record: Callable[[Resident], int]) -> int:
        """Load, let ``record`` note what is due (it returns how many), save only if it noted any."""

        async def attempt() -> int:
            resident = await self.get(resident_id)
            noted = record(resident)
            if noted:
                await self._repo.save(resident)
            return noted

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)

    async def _change(self, resident_id: str, change: Callable[[Resident], object]) -> Resident:
        """Load, apply one domain change, save; retried on a concurrent modification."""

        async def attempt() -> Resident:
            resident = await self.get(resident_id)
            change(resident)
            await self._repo.save(resident)
            return resident

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)

    async def _change_if_known(self, resident_id: str, change: Callable[[Resident], bool]) -> bool:
        """Load, apply a change that says whether it changed anything, save only if it did; False (nothing done)
        for a resident this registry does not know."""

        async def attempt() -> bool:
            resident = await self._repo.get(resident_id)
            if resident is None or not change(resident):
                return False
            await self._repo.save(resident)
            return True

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)
