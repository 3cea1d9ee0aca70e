"""A resident's quarantines: start, change of the planned end, daily health checks (and the days
missed), close contacts, the end, and appeals against the decisions that keep the person in."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import get_args

from towngrid_contracts.registry import (
    AppealDecided,
    AppealFiled,
    CloseContactLinked,
    FeverAlertRaised,
    HealthCheckMissed,
    HealthCheckRecorded,
    QuarantineEnded,
    QuarantinePlannedEndChanged,
    QuarantineStarted,
)
from towngrid_kit.errors import Conflict, InvalidInput
from registry.domain.decisions import APPEAL_OVERTURNED, Appeal
from registry.domain.follow_up import ContactLink, PlannedEndChange, days_needing_a_check, local_day
from registry.domain.resident.records import HealthCheck, Quarantine
from registry.domain.resident.state import ResidentState

# The codes the planned-end event's original ``reason`` field allows; a configured code outside them is sent as
# ``other`` there (and as itself in ``reason_code``).
PLANNED_END_EVENT_REASONS = frozenset(get_args(QuarantinePlannedEndChanged.model_fields["reason"].annotation))


class Quarantining(ResidentState):
    """The quarantine rules of a resident's file."""

    def start_quarantine(self, quarantine_id: str, kind: str, started_at: datetime, planned_end: date,
                         contact_of: str | None = None, *, reason_code: str, by: str, note: str | None = None,
                         decided_at: datetime | None = None) -> Quarantine:
        """Start a quarantine; ``by`` (a staff id) decided it for ``reason_code`` (+ ``note``, kept here only)."""
        if (current := self.open_quarantine) is not None:
            raise Conflict(f"resident {self.resident_id} is already in quarantine {current.quarantine_id}")
        if planned_end < started_at.date():
            raise InvalidInput("planned_end must not be before the start", field="body.planned_end")
        started = Quarantine(quarantine_id=quarantine_id, kind=kind, started_at=started_at, planned_end=planned_end,
                             contact_of=contact_of)
        started.decide("started", reason_code, note, by, decided_at or started_at)
        self.quarantines.append(started)
        self.pending.append(
            QuarantineStarted(
                resident_id=self.resident_id,
                quarantine_id=quarantine_id,
                household_id=self.household_id,
                compound_id=self.compound_id,
                kind=kind,
                started_at=started_at,
                planned_end=planned_end,
                contact_of_resident_id=contact_of,
                decided_by=by,
                reason_code=reason_code,
            )
        )
        return started

    def change_planned_end(self, quarantine_id: str, planned_end: date, reason: str, note: str | None,
                           by: str, at: datetime) -> PlannedEndChange:
        """Extend or shorten an open quarantine, with the reason."""
        target = self.quarantine(quarantine_id)
        if not target.is_open:
            raise Conflict(f"quarantine {quarantine_id} has ended; its planned end cannot change")
        if planned_end < target.started_at.date():
            raise InvalidInput("planned_end must not be before the start", field="body.planned_end")
        if planned_end == target.planned_end:
            raise InvalidInput(f"planned_end is already {planned_end.isoformat()}", field="body.planned_end")
        change = PlannedEndChange(target.planned_end, planned_end, reason, note, by, at)
        target.changes.append(change)
        target.planned_end = planned_end
        extended = planned_end > change.previous_planned_end
        target.decide("extended" if extended else "shortened", reason, note, by, at)
        self.pending.append(QuarantinePlannedEndChanged(
            resident_id=self.resident_id, quarantine_id=quarantine_id, previous_planned_end=change.previous_planned_end,
            planned_end=planned_end, extended=extended,
            reason=reason if reason in PLANNED_END_EVENT_REASONS else "other",
            changed_by=by, changed_at=at, decided_by=by, reason_code=reason,
        ))
        return change

    def flag_missed_checks(self, now: datetime, tz: timezone) -> int:
        """Flag every whole local day of the open quarantine that passed without a check."""
        target = self.open_quarantine
        if target is None:
            return 0
        today = local_day(now, tz)
        flagged = 0
        for day in days_needing_a_check(target.started_at, target.covered_days(tz), tz):
            if day >= today:
                break
            target.missed_days.append(day)
            self.pending.append(HealthCheckMissed(
                resident_id=self.resident_id, quarantine_id=target.quarantine_id, compound_id=self.compound_id,
                day=day, flagged_at=now,
            ))
            flagged += 1
        return flagged

    def check_deadline(self, tz: timezone) -> datetime | None:
        target = self.open_quarantine
        return target.check_deadline(tz) if target else None

    def link_contact(self, link_id: str, contact_resident_id: str, last_contact_on: date, by: str,
                     at: datetime) -> ContactLink:
        """Link a close contact to this case."""
        if contact_resident_id == self.resident_id:
            raise InvalidInput("a case is not its own contact", field="body.contact_resident_id")
        if last_contact_on > at.date():
            raise InvalidInput("last_contact_on is in the future", field="body.last_contact_on")
        if any(c.contact_resident_id == contact_resident_id for c in self.contacts):
            raise Conflict(f"{contact_resident_id} is already linked to {self.resident_id} as a contact")
        link = ContactLink(link_id, contact_resident_id, last_contact_on, by, at)
        self.contacts.append(link)
        self.pending.append(CloseContactLinked(
            resident_id=self.resident_id, contact_resident_id=contact_resident_id, link_id=link_id,
            last_contact_on=last_contact_on, linked_by=by, linked_at=at,
        ))
        return link

    def record_health_check(self, quarantine_id: str, check: HealthCheck) -> None:
        target = self.quarantine(quarantine_id)
        if not target.is_open:
            raise Conflict(f"quarantine {quarantine_id} has ended; no more health checks")
        if check.checked_at < target.started_at:
            raise InvalidInput("checked_at is before the quarantine started", field="body.checked_at")
        target.checks.append(check)
        self.pending.append(
            HealthCheckRecorded(
                resident_id=self.resident_id,
                quarantine_id=quarantine_id,
                check_id=check.check_id,
                temperature_c=check.temperature_c,
                symptoms=check.symptoms,
                checked_by=check.checked_by,
                checked_at=check.checked_at,
            )
        )
        if check.fever:
            self.pending.append(
                FeverAlertRaised(
                    resident_id=self.resident_id,
                    quarantine_id=quarantine_id,
                    check_id=check.check_id,
                    temperature_c=check.temperature_c,
                    checked_at=check.checked_at,
                )
            )

    def end_quarantine(self, quarantine_id: str, ended_at: datetime, outcome: str, *, reason_code: str, by: str,
                       note: str | None = None, decided_at: datetime | None = None,
                       appeal_id: str | None = None) -> None:
        target = self.quarantine(quarantine_id)
        if not target.is_open:
            raise Conflict(f"quarantine {quarantine_id} has already ended")
        if ended_at < target.started_at:
            raise InvalidInput("ended_at is before the quarantine started", field="body.ended_at")
        target.ended_at = ended_at
        target.outcome = outcome
        target.decide("ended", reason_code, note, by, decided_at or ended_at, appeal_id)
        self.pending.append(
            QuarantineEnded(
                resident_id=self.resident_id, quarantine_id=quarantine_id, ended_at=ended_at, outcome=outcome,
                decided_by=by, reason_code=reason_code, appeal_id=appeal_id,
            )
        )

    # --- appeals against quarantine decisions -------------------------------------------------
    def file_appeal(self, appeal_id: str, quarantine_id: str, filed_by: str, statement: str | None,
                    at: datetime) -> Appeal:
        """Appeal an open quarantine (its start and any change of its end), on the person's behalf."""
        target = self.quarantine(quarantine_id)
        if not target.is_open:
            raise Conflict(f"quarantine {quarantine_id} has ended; there is nothing left to appeal")
        if any(a.is_open and a.quarantine_id == quarantine_id for a in self.appeals):
            raise Conflict(f"quarantine {quarantine_id} already has an appeal under review")
        filed = Appeal(appeal_id, quarantine_id, filed_by, at, statement, target.deciders)
        self.appeals.append(filed)
        self.pending.append(AppealFiled(resident_id=self.resident_id, appeal_id=appeal_id, quarantine_id=quarantine_id,
                                        filed_by=filed_by, filed_at=at, appealed_deciders=filed.deciders))
        return filed

    def decide_appeal(self, appeal_id: str, overturn: bool, reason_code: str, note: str | None, by: str,
                      at: datetime) -> Appeal:
        """The review: by someone who neither took the appealed decisions nor filed the appeal.

        Overturned, the quarantine ends now (outcome ``released``), the end recorded as caused by the appeal.
        """
        target = self.appeal(appeal_id)
        target.decide(overturn, reason_code, note, by, at)
        self.pending.append(AppealDecided(resident_id=self.resident_id, appeal_id=appeal_id,
                                          quarantine_id=target.quarantine_id, outcome=target.status,
                                          reason_code=reason_code, decided_by=by, decided_at=at))
        quarantine = self.quarantine(target.quarantine_id)
        if overturn and quarantine.is_open:
            self.end_quarantine(quarantine.quarantine_id, max(at, quarantine.started_at), "released",
                                reason_code=APPEAL_OVERTURNED, by=by, decided_at=at, appeal_id=appeal_id)
        return target
