"""Use cases of a resident's file: load, call the domain, save (state and events at once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timezone
from typing import Any

from towngrid_kit.auth import Principal
from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import InvalidInput, NotFound
from registry.adapters.grid_repository import GridRepository
from registry.adapters.repository import ResidentRepository
from registry.domain.care import CareVisit
from registry.domain.checklist import ChecklistItem
from registry.domain.decisions import DEFAULT_QUARANTINE_REASONS, ReasonCodes
from registry.domain.follow_up import ContactLink, PlannedEndChange
from registry.domain.resident import HealthCheck, Person, Quarantine, Resident, ReturnRecord
from registry.domain.places import ensure_covers, place_in
from registry.domain.risk_areas import RiskAreas
from registry.service.ids import new_id


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

    async def register_returnee(self, registration: Registration, within: Principal | None = None) -> Registered:
        """Register a returnee; the same national ID again updates that resident's file.

        ``within``: the caller, whose grid scope must cover an existing file to update it (403).
        """
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
                if within is not None:
                    ensure_covers(within, place_in(grid, resident.compound_id))
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
        self, resident_id: str, kind: str, planned_end: date, started_at: datetime | None,
        contact_of: str | None = None, *, reason_code: str, note: str | None, by: str,
    ) -> tuple[Resident, Quarantine]:
        """Start a quarantine decided by ``by`` (a staff id) for a configured ``reason_code`` (+ free text)."""
        self.reasons.check(reason_code, note)
        quarantine_id = new_id("qua")
        now = datetime.now(UTC)
        started = started_at or now
        resident = await self._change(resident_id, lambda r: r.start_quarantine(
            quarantine_id, kind, started, planned_end, contact_of, reason_code=reason_code, by=by, note=note,
            decided_at=now))
        return resident, resident.quarantine(quarantine_id)

    async def change_planned_end(self, resident_id: str, quarantine_id: str, planned_end: date, reason: str,
                                 note: str | None, by: str) -> tuple[Resident, PlannedEndChange]:
        self.reasons.check(reason, note)
        now = datetime.now(UTC)
        changes: list[PlannedEndChange] = []
        resident = await self._change(resident_id, lambda r: changes.append(
            r.change_planned_end(quarantine_id, planned_end, reason, note, by, now)))
        return resident, changes[-1]

    async def link_contact(self, case_id: str, contact_id: str, last_contact_on: date, by: str) -> ContactLink:
        if await self._repo.get(contact_id) is None:
            raise InvalidInput(f"no resident {contact_id}; register the contact first", field="body.contact_resident_id")
        link_id, now = new_id("lnk"), datetime.now(UTC)
        links: list[ContactLink] = []
        await self._change(case_id, lambda r: links.append(r.link_contact(link_id, contact_id, last_contact_on, by, now)))
        return links[-1]

    async def quarantine_contact(self, case_id: str, contact_id: str, kind: str, planned_end: date,
                                 started_at: datetime | None, *, reason_code: str, note: str | None,
                                 by: str) -> tuple[Resident, Quarantine]:
        """Put a linked close contact into quarantine from the case's file."""
        (await self.get(case_id)).contact(contact_id)
        return await self.start_quarantine(contact_id, kind, planned_end, started_at, contact_of=case_id,
                                           reason_code=reason_code, note=note, by=by)

    async def flag_missed_checks(self, resident_id: str, now: datetime) -> int:
        return await self._count_and_save(resident_id, lambda r: r.flag_missed_checks(now, self._tz))

    async def follow_up_all(self, now: datetime, limit: int = 200) -> tuple[int, int, int]:
        """The periodic job: every checklist with a step due by ``now`` (events raised), every
        quarantine with a whole day passed without a health check, every missed care visit."""
        due = await self._repo.follow_ups_due(now, limit)
        raised = flagged = missed = 0
        for resident_id in due["checklist"]:
            raised += await self.raise_overdue(resident_id, now)
        for resident_id in due["check"]:
            flagged += await self.flag_missed_checks(resident_id, now)
        for resident_id in due["visit"]:
            missed += await self.flag_missed_visits(resident_id, now)
        return raised, flagged, missed

    async def history(self, resident_id: str) -> tuple[Resident, list[dict[str, Any]], list[str]]:
        """The whole file: the resident, every event of it in order, and the cases it is a contact of."""
        resident = await self.get(resident_id)
        return resident, await self._repo.history(resident_id), await self._repo.cases_of(resident_id)

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
        self, resident_id: str, quarantine_id: str, outcome: str, ended_at: datetime | None, *,
        reason_code: str, note: str | None, by: str,
    ) -> Resident:
        self.reasons.check(reason_code, note)
        now = datetime.now(UTC)
        ended = ended_at or now
        return await self._change(resident_id, lambda r: r.end_quarantine(
            quarantine_id, ended, outcome, reason_code=reason_code, by=by, note=note, decided_at=now))

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
        return await self._count_and_save(resident_id, lambda r: r.raise_overdue(now))

    # --- vulnerable residents ----------------------------------------------------------------
    async def enrol_vulnerable(self, resident_id: str, category: str, visit_every_days: int,
                               relief_every_days: int | None, helper_id: str | None,
                               enrolled_at: datetime | None) -> Resident:
        at = enrolled_at or datetime.now(UTC)
        pair_id = new_id("pair")

        def change(r: Resident) -> None:
            r.enrol_vulnerable(category, visit_every_days, relief_every_days, at)
            if helper_id is not None:
                r.pair_helper(pair_id, helper_id, at)

        return await self._change(resident_id, change)

    async def pair_helper(self, resident_id: str, helper_id: str) -> Resident:
        pair_id, now = new_id("pair"), datetime.now(UTC)
        return await self._change(resident_id, lambda r: r.pair_helper(pair_id, helper_id, now))

    async def record_visit(self, resident_id: str, kind: str, supplies: list[str], by: str,
                           at: datetime | None) -> tuple[Resident, CareVisit]:
        visit = CareVisit(new_id("vis"), kind, by, at or datetime.now(UTC), supplies)
        return await self._change(resident_id, lambda r: r.record_visit(visit)), visit

    async def record_relief_parcel(self, resident_id: str, parcel_id: str, items: list[str], courier_id: str,
                                   delivered_at: datetime) -> bool:
        """A delivered relief parcel counts as a visit (once per parcel); False when already recorded or unknown."""
        visit = CareVisit(f"vis_{parcel_id}", "relief_parcel", courier_id, delivered_at, list(items), parcel_id)

        async def attempt() -> bool:
            resident = await self._repo.get(resident_id)
            if resident is None or resident.care is None:
                return False
            if not resident.record_visit(visit):
                return False
            await self._repo.save(resident)
            return True

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)

    async def flag_missed_visits(self, resident_id: str, now: datetime) -> int:
        return await self._count_and_save(resident_id, lambda r: r.flag_missed_visits(now))

    async def leave_town(self, resident_id: str, batch_id: str, destination_province: str, left_at: datetime) -> bool:
        """From a departed labour batch: idempotent (the same batch again changes nothing)."""

        async def attempt() -> bool:
            resident = await self._repo.get(resident_id)
            if resident is None:
                return False  # not a resident of this registry: nothing to mark
            if not resident.leave_town(batch_id, destination_province, left_at):
                return False
            await self._repo.save(resident)
            return True

        async with self._locks.hold(resident_id):
            return await retry_on_conflict(attempt)

    async def page_vulnerable(self, category: str | None, after: str | None, limit: int,
                              compound_ids: list[str] | None = None) -> list[Resident]:
        filters: dict[str, object] = {"care_category": category} if category else {"care_category": {"$ne": None}}
        if compound_ids is not None:
            filters["compound_id"] = {"$in": compound_ids}
        return await self._repo.page(filters, after, limit)

    async def page(self, *, compound_ids: list[str] | None, in_quarantine: bool | None, after: str | None,
                   limit: int) -> list[Resident]:
        """Residents in id order; only those of ``compound_ids`` unless None."""
        filters: dict[str, object] = {}
        if compound_ids is not None:
            filters["compound_id"] = {"$in": compound_ids}
        if in_quarantine is not None:
            filters["in_quarantine"] = in_quarantine
        return await self._repo.page(filters, after, limit)

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


