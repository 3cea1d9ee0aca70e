"""Use cases of a resident's quarantines: start, planned end, close contacts, health checks, end."""

from __future__ import annotations

from datetime import UTC, date, datetime

from towngrid_kit.errors import InvalidInput
from registry.domain.follow_up import ContactLink, PlannedEndChange
from registry.domain.resident import HealthCheck, Quarantine, Resident
from towngrid_kit.ids import new_id
from registry.service.resident_files import ResidentFiles


class QuarantineUseCases(ResidentFiles):
    """A resident's quarantines (part of ``ResidentService``)."""

    async def start_quarantine(
        self, resident_id: str, kind: str, planned_end: date, started_at: datetime | None,
        contact_of: str | None = None, *, reason_code: str, note: str | None, by: str,
    ) -> tuple[Resident, Quarantine]:
        """Start a quarantine decided by ``by`` (a staff id) for a configured ``reason_code`` (+ free text)."""
        self.reasons.check(reason_code, note)
        quarantine_id = new_id("qua")
        now = datetime.now(UTC)
        started = started_at or now
        resident = await self.change(resident_id, lambda r: r.start_quarantine(
            quarantine_id, kind, started, planned_end, contact_of, reason_code=reason_code, by=by, note=note,
            decided_at=now))
        return resident, resident.quarantine(quarantine_id)

    async def change_planned_end(self, resident_id: str, quarantine_id: str, planned_end: date, reason: str,
                                 note: str | None, by: str) -> tuple[Resident, PlannedEndChange]:
        self.reasons.check(reason, note)
        now = datetime.now(UTC)
        changes: list[PlannedEndChange] = []
        resident = await self.change(resident_id, lambda r: changes.append(
            r.change_planned_end(quarantine_id, planned_end, reason, note, by, now)))
        return resident, changes[-1]

    async def link_contact(self, case_id: str, contact_id: str, last_contact_on: date, by: str) -> ContactLink:
        if await self._repo.get(contact_id) is None:
            raise InvalidInput(f"no resident {contact_id}; register the contact first", field="body.contact_resident_id")
        link_id, now = new_id("lnk"), datetime.now(UTC)
        return await self._files.outcome(case_id,
                                lambda r: r.link_contact(link_id, contact_id, last_contact_on, by, now))

    async def quarantine_contact(self, case_id: str, contact_id: str, kind: str, planned_end: date,
                                 started_at: datetime | None, *, reason_code: str, note: str | None,
                                 by: str) -> tuple[Resident, Quarantine]:
        """Put a linked close contact into quarantine from the case's file."""
        (await self.get(case_id)).contact(contact_id)
        return await self.start_quarantine(contact_id, kind, planned_end, started_at, contact_of=case_id,
                                           reason_code=reason_code, note=note, by=by)

    async def record_health_check(
        self, resident_id: str, quarantine_id: str, temperature_c: float, symptoms: list[str],
        checked_by: str, checked_at: datetime | None,
    ) -> tuple[Resident, HealthCheck]:
        check = HealthCheck(
            check_id=new_id("chk"), temperature_c=temperature_c, symptoms=symptoms,
            checked_by=checked_by, checked_at=checked_at or datetime.now(UTC),
        )
        resident = await self.change(resident_id, lambda r: r.record_health_check(quarantine_id, check))
        return resident, check

    async def end_quarantine(
        self, resident_id: str, quarantine_id: str, outcome: str, ended_at: datetime | None, *,
        reason_code: str, note: str | None, by: str,
    ) -> Resident:
        self.reasons.check(reason_code, note)
        now = datetime.now(UTC)
        ended = ended_at or now
        return await self.change(resident_id, lambda r: r.end_quarantine(
            quarantine_id, ended, outcome, reason_code=reason_code, by=by, note=note, decided_at=now))
