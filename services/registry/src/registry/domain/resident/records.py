"""The value records of a resident's file: a return, a health check, a quarantine, the person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from registry.domain.decisions import Decision
from registry.domain.follow_up import PlannedEndChange, days_needing_a_check, end_of_day, local_day

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
class EarlierValues:
    """What a re-registration replaced: the earlier values of the fields it changed, and when."""

    replaced_at: datetime
    values: dict[str, str]


@dataclass
class Person:
    """What the registry alone knows: never put into an event (``earlier``: replaced values, oldest first)."""

    national_id: str
    name: str
    mobile: str
    address: str
    earlier: list[EarlierValues] = field(default_factory=list)

    CORRECTABLE = ("name", "mobile", "address")

    def corrected_by(self, given: "Person", at: datetime) -> tuple["Person", list[str]]:
        """This person as ``given`` names them (the same ID number registered again), keeping the
        values it replaces in ``earlier``; and the names of the fields that changed."""
        changed = [f for f in self.CORRECTABLE if getattr(given, f) != getattr(self, f)]
        if not changed:
            return self, []
        earlier = [*self.earlier, EarlierValues(at, {f: getattr(self, f) for f in changed})]
        return Person(self.national_id, given.name, given.mobile, given.address, earlier), changed

    def earlier_of(self, items: list[str]) -> list[EarlierValues]:
        """The replaced values a read of ``items`` may show: of those items, and earlier names."""
        shown = [EarlierValues(e.replaced_at, {k: v for k, v in e.values.items() if k == "name" or k in items})
                 for e in self.earlier]
        return [e for e in shown if e.values]

