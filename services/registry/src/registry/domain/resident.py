"""A resident's file: returns, quarantines and health checks, with the events they cause.

Plain Python, no I/O. Each method checks its rule, changes the state, and records the
events (``pending``) that the repository stores in the same write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from typing import get_args

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import (
    AppealDecided,
    AppealFiled,
    CarePaired,
    CareVisitMissed,
    CareVisitRecorded,
    VulnerableResidentEnrolled,
    ChecklistCompleted,
    ChecklistItemOverdue,
    ChecklistItemVerified,
    CloseContactLinked,
    FeverAlertRaised,
    HealthCheckMissed,
    QuarantinePlannedEndChanged,
    HealthCheckRecorded,
    QuarantineEnded,
    QuarantineStarted,
    ResidentLeftTown,
    ResidentReturned,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.domain.care import Care, CareVisit
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.decisions import APPEAL_OVERTURNED, Appeal, Decision
from registry.domain.follow_up import (
    ContactLink,
    PlannedEndChange,
    days_needing_a_check,
    end_of_day,
    local_day,
)
from registry.domain.grid import ChecklistTemplate

FEVER_THRESHOLD_C = 37.3
# The codes the planned-end event's original ``reason`` field allows; a configured code outside them is sent as
# ``other`` there (and as itself in ``reason_code``).
PLANNED_END_EVENT_REASONS = frozenset(get_args(QuarantinePlannedEndChanged.model_fields["reason"].annotation))


@dataclass
class ReturnRecord:
    origin_province: str
    origin_city: str
    from_risk_area: bool
    travel_mode: str
    arrived_on: date
    registered_at: datetime


@dataclass
class HealthCheck:
    check_id: str
    temperature_c: float
    symptoms: list[str]
    checked_by: str
    checked_at: datetime

    @property
    def fever(self) -> bool:
        return self.temperature_c >= FEVER_THRESHOLD_C


@dataclass
class Quarantine:
    quarantine_id: str
    kind: str
    started_at: datetime
    planned_end: date
    ended_at: datetime | None = None
    outcome: str | None = None
    checks: list[HealthCheck] = field(default_factory=list)
    contact_of: str | None = None
    changes: list[PlannedEndChange] = field(default_factory=list)
    missed_days: list[date] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def decide(self, action: str, reason_code: str, note: str | None, by: str, at: datetime,
               appeal_id: str | None = None) -> Decision:
        """Record who decided what about this quarantine, and why."""
        decision = Decision(f"{self.quarantine_id}.{len(self.decisions) + 1}", action, reason_code, note, by, at,
                            appeal_id)
        self.decisions.append(decision)
        return decision

    @property
    def deciders(self) -> list[str]:
        """Who took the decisions that keep the person in quarantine (its start and changes of its end)."""
        return list(dict.fromkeys(d.decided_by for d in self.decisions if d.action != "ended"))

    def covered_days(self, tz: timezone) -> set[date]:
        return {local_day(c.checked_at, tz) for c in self.checks} | set(self.missed_days)

    def check_deadline(self, tz: timezone) -> datetime | None:
        """When the first day without a check (not flagged yet) is over; None once ended."""
        if not self.is_open:
            return None
        first = next(days_needing_a_check(self.started_at, self.covered_days(tz), tz), None)
        return end_of_day(first, tz) if first else None


@dataclass
class Person:
    """What the registry alone knows: never put into an event."""

    national_id: str
    name: str
    mobile: str
    address: str


@dataclass
class Resident:
    resident_id: str
    person: Person
    household_id: str
    compound_id: str
    neighbour_group_id: str | None = None
    version: int = 0
    returns: list[ReturnRecord] = field(default_factory=list)
    quarantines: list[Quarantine] = field(default_factory=list)
    checklist: Checklist | None = None
    contacts: list[ContactLink] = field(default_factory=list)
    care: Care | None = None
    left_town: dict | None = None  # {"batch_id", "destination_province", "left_at", "event_id"}
    appeals: list[Appeal] = field(default_factory=list)
    pending: list[EventData] = field(default_factory=list)

    @property
    def open_quarantine(self) -> Quarantine | None:
        return next((q for q in self.quarantines if q.is_open), None)

    def quarantine(self, quarantine_id: str) -> Quarantine:
        for q in self.quarantines:
            if q.quarantine_id == quarantine_id:
                return q
        raise NotFound(f"resident {self.resident_id} has no quarantine {quarantine_id}")

    def register_return(self, record: ReturnRecord) -> None:
        re_registration = bool(self.returns)
        self.returns.append(record)
        self.pending.append(
            ResidentReturned(
                resident_id=self.resident_id,
                household_id=self.household_id,
                compound_id=self.compound_id,
                origin_province=record.origin_province,
                origin_city=record.origin_city,
                from_risk_area=record.from_risk_area,
                travel_mode=record.travel_mode,
                arrived_on=record.arrived_on,
                re_registration=re_registration,
                neighbour_group_id=self.neighbour_group_id,
                checklist_id=self.checklist.checklist_id if self.checklist else None,
            )
        )

    # --- the follow-up checklist -----------------------------------------------------------
    def open_checklist(self, checklist_id: str, template: ChecklistTemplate, chain: list[tuple[str, str]],
                       opened_at: datetime) -> Checklist:
        """Give the returnee the town's checklist (once: a re-registration keeps the first)."""
        if self.checklist is None:
            self.checklist = Checklist(
                checklist_id=checklist_id, opened_at=opened_at, escalation_period=template.escalation_period,
                chain=list(chain),
                items=[ChecklistItem(t.code, t.title, opened_at + t.due_after) for t in template.items],
            )
        return self.checklist

    def _open_checklist(self) -> Checklist:
        if self.checklist is None:
            raise NotFound(f"resident {self.resident_id} has no follow-up checklist")
        return self.checklist

    def verify_checklist_item(self, code: str, by: str, at: datetime) -> ChecklistItem:
        checklist = self._open_checklist()
        item = checklist.item(code)
        if item is None:
            raise NotFound(f"checklist {checklist.checklist_id} has no item {code}")
        if item.done:
            raise Conflict(f"item {code} was already verified by {item.done_by} at {item.done_at.isoformat()}")
        if at < checklist.opened_at:
            raise InvalidInput("verified_at is before the checklist was opened", field="body.verified_at")
        item.done_at, item.done_by = at, by
        self.pending.append(ChecklistItemVerified(
            resident_id=self.resident_id, checklist_id=checklist.checklist_id, compound_id=self.compound_id,
            item_code=code, verified_by=by, verified_at=at, was_overdue=item.escalations > 0,
        ))
        if all(i.done for i in checklist.items):
            checklist.completed_at = at
            self.pending.append(ChecklistCompleted(
                resident_id=self.resident_id, checklist_id=checklist.checklist_id, compound_id=self.compound_id,
                item_codes=[i.code for i in checklist.items], verified_by=by, completed_at=at,
            ))
        return item

    def raise_overdue(self, now: datetime) -> int:
        """Raise every overdue step that ``now`` has reached; the number raised (0: nothing changed)."""
        if self.checklist is None or self.checklist.completed_at is not None:
            return 0
        raised = 0
        for item in self.checklist.items:
            for step in self.checklist.overdue_levels_due(item, now):
                level, unit = self.checklist.chain[step]
                self.pending.append(ChecklistItemOverdue(
                    resident_id=self.resident_id, checklist_id=self.checklist.checklist_id,
                    compound_id=self.compound_id, item_code=item.code, due_at=item.due_at,
                    escalation_level=level, escalated_to=unit, overdue_periods=step,
                ))
                item.escalations = step + 1
                raised += 1
        return raised

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

    def contact(self, contact_resident_id: str) -> ContactLink:
        for link in self.contacts:
            if link.contact_resident_id == contact_resident_id:
                return link
        raise NotFound(f"{contact_resident_id} is not linked to {self.resident_id} as a contact")

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
    def appeal(self, appeal_id: str) -> Appeal:
        for a in self.appeals:
            if a.appeal_id == appeal_id:
                return a
        raise NotFound(f"resident {self.resident_id} has no appeal {appeal_id}")

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

    # --- care of a vulnerable resident ------------------------------------------------------
    def enrol_vulnerable(self, category: str, visit_every_days: int, relief_every_days: int | None,
                         at: datetime) -> Care:
        if self.care is not None:
            raise Conflict(f"resident {self.resident_id} is already enrolled ({self.care.category})")
        self.care = Care(category, visit_every_days, relief_every_days, at)
        self.pending.append(VulnerableResidentEnrolled(
            resident_id=self.resident_id, household_id=self.household_id, compound_id=self.compound_id,
            category=category, visit_every_days=visit_every_days, relief_every_days=relief_every_days,
            enrolled_at=at,
        ))
        return self.care

    def _care(self) -> Care:
        if self.care is None:
            raise NotFound(f"resident {self.resident_id} is not enrolled as a vulnerable resident")
        return self.care

    def pair_helper(self, care_pair_id: str, helper_id: str, at: datetime) -> Care:
        care = self._care()
        if helper_id == self.resident_id:
            raise InvalidInput("a resident is not their own helper", field="body.helper_id")
        if care.helper_id == helper_id:
            raise Conflict(f"{helper_id} is already the helper")
        previous, care.helper_id, care.care_pair_id = care.helper_id, helper_id, care_pair_id
        self.pending.append(CarePaired(resident_id=self.resident_id, care_pair_id=care_pair_id, helper_id=helper_id,
                                       previous_helper_id=previous, paired_at=at))
        return care

    def record_visit(self, visit: CareVisit) -> bool:
        """Record a visit; False (nothing recorded) for a relief parcel already recorded."""
        care = self._care()
        if visit.parcel_id and any(v.parcel_id == visit.parcel_id for v in care.visits):
            return False
        if visit.visited_at < care.enrolled_at:
            raise InvalidInput("visited_at is before the enrolment", field="body.visited_at")
        care.visits.append(visit)
        self.pending.append(CareVisitRecorded(
            resident_id=self.resident_id, visit_id=visit.visit_id, kind=visit.kind, care_pair_id=care.care_pair_id,
            parcel_id=visit.parcel_id, supplies=visit.supplies, visited_by=visit.visited_by,
            visited_at=visit.visited_at,
        ))
        return True

    def flag_missed_visits(self, now: datetime) -> int:
        if self.care is None or self.left_town is not None:
            return 0
        flagged = 0
        while (due := self.care.next_due()) <= now and flagged < 60:
            self.care.missed.append(due)
            self.pending.append(CareVisitMissed(
                resident_id=self.resident_id, compound_id=self.compound_id, care_pair_id=self.care.care_pair_id,
                helper_id=self.care.helper_id, due_at=due, flagged_at=now,
            ))
            flagged += 1
        return flagged

    def care_visit_due(self) -> datetime | None:
        return self.care.next_due() if self.care is not None and self.left_town is None else None

    # --- departure --------------------------------------------------------------------------
    def leave_town(self, batch_id: str | None, destination_province: str, left_at: datetime) -> bool:
        """Record that the resident left town (with a labour batch); False when already recorded for it."""
        if self.left_town is not None and self.left_town.get("batch_id") == batch_id:
            return False
        self.left_town = {"batch_id": batch_id, "destination_province": destination_province, "left_at": left_at}
        self.pending.append(ResidentLeftTown(
            resident_id=self.resident_id, household_id=self.household_id,
            reason="labor_batch" if batch_id else "other", destination_province=destination_province,
            batch_id=batch_id, left_at=left_at,
        ))
        return True
