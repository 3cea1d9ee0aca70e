"""Use cases of a resident's file: registration, checklist and daily follow-ups, leaving town, lists.

The quarantine use cases are ``service/quarantines.py``, the care of vulnerable residents
``service/care.py``; loading and saving a file ``service/resident_files.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from towngrid_kit.auth import Principal
from towngrid_kit.errors import InvalidInput
from towngrid_kit.grid import within_compounds
from towngrid_kit.holder_keys import holder_key_hash, new_holder_key
from registry.domain.checklist import ChecklistItem
from registry.domain.places import ensure_covers, place_in
from registry.domain.resident import Person, Resident, ReturnRecord
from registry.service.care import CareUseCases
from towngrid_kit.ids import new_id
from registry.service.quarantines import QuarantineUseCases


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
    changed: list[str]
    holder_key: str  # for the registration slip: shown once, only its hash is published


class ResidentService(QuarantineUseCases, CareUseCases):
    """Every use case of a resident's file, one object for the entrypoints."""

    async def register_returnee(self, registration: Registration, within: Principal | None = None) -> Registered:
        """Register a returnee; the same national ID again updates that resident's file. Each
        registration gives a fresh holder key (for the slip; it replaces the earlier one).

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

        grid = await self._grids.current(self._town_id)
        if problem := grid.placement_problem(registration.compound_id, registration.neighbour_group_id):
            raise InvalidInput(problem[1], field=problem[0])
        chain = grid.chain(registration.compound_id, registration.neighbour_group_id)
        household_id = registration.household_id or new_id("hh")
        if await self._repo.claim_household(household_id, registration.compound_id) != registration.compound_id:
            raise InvalidInput("this household id belongs to another compound", field="body.household_id")

        resident_id = await self._repo.claim_national_id(registration.person.national_id, new_id("res"))
        created: list[bool] = []
        changed: list[str] = []
        holder_key = new_holder_key()

        def register(resident: Resident) -> Resident:
            created[:] = [resident.version == 0]
            if resident.version == 0:
                resident.open_checklist(new_id("cl"), grid.checklist, chain, record.registered_at)
            else:
                if within is not None:
                    ensure_covers(within, place_in(grid, resident.compound_id),
                                  unnamed="a resident registered outside it")
            changed[:] = resident.register_return(record, registration.person, holder_key_hash(holder_key))
            return resident

        resident = await self._files.change_or_create(resident_id, register, lambda: Resident(
            resident_id=resident_id,
            person=registration.person,
            household_id=household_id,
            compound_id=registration.compound_id,
            neighbour_group_id=registration.neighbour_group_id,
        ))
        return Registered(resident, created=created[0], changed=changed, holder_key=holder_key)

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

    async def verify_checklist_item(self, resident_id: str, code: str, by: str,
                                    at: datetime | None) -> tuple[Resident, ChecklistItem]:
        when = at or datetime.now(UTC)
        resident = await self.change(resident_id, lambda r: r.verify_checklist_item(code, by, when))
        assert resident.checklist is not None
        item = resident.checklist.item(code)
        assert item is not None
        return resident, item

    async def raise_overdue(self, resident_id: str, now: datetime) -> int:
        """Raise the overdue steps of one resident's checklist that ``now`` has reached."""
        return await self._count_and_save(resident_id, lambda r: r.raise_overdue(now))

    async def leave_town(self, resident_id: str, batch_id: str, destination_province: str, left_at: datetime) -> bool:
        """From a departed labour batch: idempotent (the same batch again changes nothing); False for a resident
        not of this registry (nothing to mark)."""
        return await self._change_if_known(resident_id, lambda r: r.leave_town(batch_id, destination_province, left_at))

    async def page(self, *, compound_ids: list[str] | None, in_quarantine: bool | None, after: str | None,
                   limit: int) -> list[Resident]:
        """Residents in id order; only those of ``compound_ids`` unless None."""
        filters = within_compounds(compound_ids)
        if in_quarantine is not None:
            filters["in_quarantine"] = in_quarantine
        return await self._repo.find(filters, after=after, limit=limit)

    async def figures(self, days: int) -> dict[str, Any]:
        """The town's resident figures, with registrations per town-local day over the last ``days``."""
        since = (datetime.now(UTC).astimezone(self._tz).date() - timedelta(days=days - 1)).isoformat()
        return await self._repo.figures(since)
