"""Use cases of the duty rosters: people on duty, shifts, and the coverage of the checkpoints."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timezone

from towngrid_kit.errors import InvalidInput, NotFound
from towngrid_kit.ids import new_id
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.duty_repository import CoverageRepository, DutyPeopleRepository
from registry.adapters.grid_repository import GridRepository
from registry.domain.duty import CheckpointCoverage, DutyPerson, Shift, SlotCoverage, coverage
from registry.domain.grid import Grid
from registry.domain.places import unit_place

CONCURRENT_CHECKPOINTS = 8  # checkpoints assessed at once by a coverage check (each its own unit of work)


class DutyService:
    def __init__(self, people: DutyPeopleRepository, coverage: CoverageRepository, grids: GridRepository, town_id: str,
                 tz: timezone, required_staff: int) -> None:
        self._repo = people
        self._gaps = coverage
        self._people = UnitOfWork(people, "person on duty")
        self._coverage = UnitOfWork(coverage, "checkpoint coverage")
        self._grids = grids
        self._town_id = town_id
        self._tz = tz
        self.required_staff = required_staff

    async def register_person(self, name: str, mobile: str | None, kind: str, unit_level: str,
                              unit_id: str) -> DutyPerson:
        grid = await self._grids.current(self._town_id)
        units = {"town": {grid.town_id}, "community": grid.communities, "compound": grid.compounds}[unit_level]
        if unit_id not in units:
            raise InvalidInput(f"no {unit_level} {unit_id} in the grid", field="body.unit_id")
        place = unit_place(grid, unit_level, unit_id)
        person = DutyPerson.register(new_id("stf"), name, mobile, kind, unit_level, unit_id, datetime.now(UTC),
                                     place.community, place.compound)
        return await self._people.add(person)

    async def person(self, person_id: str) -> DutyPerson:
        return await self._people.get(person_id)

    async def people(self, unit_id: str | None, after: str | None, limit: int, community_id: str | None = None,
                     compound_id: str | None = None) -> list[DutyPerson]:
        return await self._repo.people(unit_id, after, limit, community_id, compound_id)

    async def schedule(self, person_id: str, checkpoint_id: str, starts_at: datetime, ends_at: datetime) -> Shift:
        grid = await self._grids.current(self._town_id)
        if _compound_of(grid, checkpoint_id) is None:
            raise InvalidInput(f"no checkpoint {checkpoint_id} in the grid", field="body.checkpoint_id")
        shift = Shift(new_id("sft"), checkpoint_id, starts_at, ends_at)
        await self._people.change(person_id, lambda p: p.schedule(shift))
        return shift

    async def coverage(self, checkpoint_id: str, days: int) -> list[SlotCoverage]:
        grid = await self._grids.current(self._town_id)
        if _compound_of(grid, checkpoint_id) is None:
            raise NotFound(f"no checkpoint {checkpoint_id} in the grid")
        now = datetime.now(UTC)
        return coverage(await self._repo.shifts_at([checkpoint_id], now), now, days, self._tz)

    async def check(self, checkpoint_ids: list[str] | None, days: int) -> dict[str, int]:
        """Assess the coverage of these checkpoints (all of the grid when None); raise gaps and restorations."""
        grid = await self._grids.current(self._town_id)
        targets = checkpoint_ids if checkpoint_ids is not None else sorted(c.checkpoint_id for c in grid.compounds.values())
        unknown = [c for c in targets if _compound_of(grid, c) is None]
        if unknown:
            raise InvalidInput(f"not checkpoints of the grid: {', '.join(unknown[:10])}", field="body.checkpoint_ids")
        now = datetime.now(UTC)
        shifts = await self._repo.shifts_at(checkpoint_ids, now)
        by_checkpoint: dict[str, list[Shift]] = {}
        for s in shifts:
            by_checkpoint.setdefault(s.checkpoint_id, []).append(s)
        gate = asyncio.Semaphore(CONCURRENT_CHECKPOINTS)

        async def assess(checkpoint_id: str) -> tuple[int, int, int]:
            compound = _compound_of(grid, checkpoint_id)
            slots_now = coverage(by_checkpoint.get(checkpoint_id, []), now, days, self._tz)

            def assess_one(found: CheckpointCoverage) -> tuple[int, int, int]:
                detected, restored = found.assess(slots_now, self.required_staff, now)
                return detected, restored, int(bool(found.open_gaps))

            async with gate:
                return await self._coverage.change_or_create(checkpoint_id, assess_one, lambda: CheckpointCoverage(
                    checkpoint_id, compound.compound_id, compound.community_id))

        results = await asyncio.gather(*(assess(c) for c in targets))
        return {"checkpoints": len(targets), "gaps_detected": sum(r[0] for r in results),
                "gaps_restored": sum(r[1] for r in results), "checkpoints_with_gaps": sum(r[2] for r in results)}

    async def checkpoints_with_gaps(self) -> int:
        return await self._gaps.checkpoints_with_gaps()


def _compound_of(grid: Grid, checkpoint_id: str):  # noqa: ANN202
    compound_id = checkpoint_id.removeprefix("CP-")
    compound = grid.compounds.get(compound_id)
    return compound if compound is not None and checkpoint_id.startswith("CP-") else None
