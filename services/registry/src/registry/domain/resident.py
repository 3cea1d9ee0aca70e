"""A resident's file: returns, quarantines and health checks, with the events they cause.

Plain Python, no I/O. Each method checks its rule, changes the state, and records the
events (``pending``) that the repository stores in the same write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import (
    ChecklistCompleted,
    ChecklistItemOverdue,
    ChecklistItemVerified,
    FeverAlertRaised,
    HealthCheckRecorded,
    QuarantineEnded,
    QuarantineStarted,
    ResidentReturned,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.grid import ChecklistTemplate

FEVER_THRESHOLD_C = 37.3


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

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


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

    def start_quarantine(self, quarantine_id: str, kind: str, started_at: datetime, planned_end: date) -> Quarantine:
        if (current := self.open_quarantine) is not None:
            raise Conflict(f"resident {self.resident_id} is already in quarantine {current.quarantine_id}")
        if planned_end < started_at.date():
            raise InvalidInput("planned_end must not be before the start", field="body.planned_end")
        started = Quarantine(quarantine_id=quarantine_id, kind=kind, started_at=started_at, planned_end=planned_end)
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
            )
        )
        return started

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

    def end_quarantine(self, quarantine_id: str, ended_at: datetime, outcome: str) -> None:
        target = self.quarantine(quarantine_id)
        if not target.is_open:
            raise Conflict(f"quarantine {quarantine_id} has already ended")
        if ended_at < target.started_at:
            raise InvalidInput("ended_at is before the quarantine started", field="body.ended_at")
        target.ended_at = ended_at
        target.outcome = outcome
        self.pending.append(
            QuarantineEnded(
                resident_id=self.resident_id, quarantine_id=quarantine_id, ended_at=ended_at, outcome=outcome
            )
        )
