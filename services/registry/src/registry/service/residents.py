"""Use cases of a resident's file: load, call the domain, save (state and events at once)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import InvalidInput, NotFound
from registry.adapters.grid_repository import GridRepository
from registry.adapters.repository import ResidentRepository
from registry.domain.checklist import ChecklistItem
from registry.domain.resident import HealthCheck, Person, Quarantine, Resident, ReturnRecord
from registry.domain.risk_areas import RiskAreas


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Registration:
    person: Person
    compound_id: str
    household_id: str | None
    origin_province: str
    origin_city: str
    travel_mode: str
    arrived_on: date
    neighbour_group_id: str | None = None


@dataclass(frozen=True)
class Registered:
    resident: Resident
    created: bool


class ResidentService:
    def __init__(self, repository: ResidentRepository, risk_areas: RiskAreas, grids: GridRepository,
                 town_id: str) -> None:
        self._repo = repository
        self._risk_areas = risk_areas
        self._grids = grids
        self._town_id = town_id
        self._locks = KeyedLocks()

    async def register_returnee(self, registration: Registration) -> Registered:
        """Register a returnee; the same national ID again updates that resident's file."""
        record = ReturnRecord(
            origin_province=registration.origin_province,
            origin_city=registration.origin_city,
            from_risk_area=self._risk_areas.contains(registration.origin_province, registration.origin_city),
            travel_mode=registration.travel_mode,
            arrived_on=registration.arrived_on,
            registered_at=datetime.now(UTC),
        )

        grid = await self._grids.get(self._town_id)
        if problem := grid.placement_problem(registration.compound_id, registration.neighbour_group_id):
            raise InvalidInput(problem[1], field=problem[0])
        chain = grid.chain(registration.compound_id, registration.neighbour_group_id)

        async def attempt() -> Registered:
            resident_id = await self._repo.claim_national_id(registration.person.national_id, new_id("res"))
            resident = await self._repo.get(resident_id)
            created = resident is None
            if resident is None:
                resident = Resident(
                    resident_id=resident_id,
                    person=registration.person,
                    household_id=registration.household_id or new_id("hh"),
                    compound_id=registration.compound_id,
                    neighbour_group_id=registration.neighbour_group_id,
                )
                resident.open_checklist(new_id("cl"), grid.checklist, chain, record.registered_at)
            else:
                resident.person = registration.person
            resident.register_return(record)
            await self._repo.save(resident)
            return Registered(resident, created=created)

        return await retry_on_conflict(attempt)

    async def get(self, resident_id: str) -> Resident:
        resident = await self._repo.get(resident_id)
        if resident is None:
            raise NotFound(f"no resident {resident_id}")
        return resident

    async def start_quarantine(
        self, resident_id: str, kind: str, planned_end: date, started_at: datetime | None
    ) -> tuple[Resident, Quarantine]:
        quarantine_id = new_id("qua")
        started = started_at or datetime.now(UTC)
        resident = await self._change(resident_id, lambda r: r.start_quarantine(quarantine_id, kind, started, planned_end))
        return resident, resident.quarantine(quarantine_id)

    async def record_health_check(
        self, resident_id: str, quarantine_id: str, temperature_c: float, symptoms: list[str],
        checked_by: str, checked_at: datetime | None,
    ) -> tuple[Resident, HealthCheck]:
        check = HealthCheck(
            check_id=new_id("chk"), temperature_c=temperature_c, symptoms=symptoms,
            checked_by=checked_by, checked_at=checked_at or datetime.now(UTC),
        )
        resident = await self._change(resident_id, lambda r: r.record_health_check(quarantine_id, check))
        return resident, check

    async def end_quarantine(
        self, resident_id: str, quarantine_id: str, outcome: str, ended_at: datetime | None
    ) -> Resident:
        ended = ended_at or datetime.now(UTC)
        return await self._change(resident_id, lambda r: r.end_quarantine(quarantine_id, ended, outcome))

    async def verify_checklist_item(self, resident_id: str, code: str, by: str,
                                    at: datetime | None) -> tuple[Resident, ChecklistItem]:
        when = at or datetime.now(UTC)
        resident = await self._change(resident_id, lambda r: r.verify_checklist_item(code, by, when))
        assert resident.checklist is not None
        item = resident.checklist.item(code)
        assert item is not None
        return resident, item

    async def raise_overdue(self, resident_id: str, now: datetime) -> int:
        """Raise the overdue steps of one resident's checklist that ``now`` has reached."""

        async def attempt() -> int:
            resident = await self.get(resident_id)
            raised = resident.raise_overdue(now)
            if raised:
                await self._repo.save(resident)
            return raised

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)

    async def raise_all_overdue(self, now: datetime, limit: int = 200) -> int:
        """The periodic job: every checklist with a step due by ``now``; the number of events raised."""
        total = 0
        for resident_id in await self._repo.checklists_due(now, limit):
            total += await self.raise_overdue(resident_id, now)
        return total

    async def page(self, *, compound_id: str | None, in_quarantine: bool | None, after: str | None, limit: int) -> list[Resident]:
        filters: dict[str, object] = {}
        if compound_id is not None:
            filters["compound_id"] = compound_id
        if in_quarantine is not None:
            filters["in_quarantine"] = in_quarantine
        return await self._repo.page(filters, after, limit)

    async def _change(self, resident_id: str, change: Callable[[Resident], object]) -> Resident:
        """Load, apply one domain change, save; retried on a concurrent modification."""

        async def attempt() -> Resident:
            resident = await self.get(resident_id)
            change(resident)
            await self._repo.save(resident)
            return resident

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)


