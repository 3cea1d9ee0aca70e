"""HTTP bodies of a resident's quarantines: start, health checks, planned end, end; close contacts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, Field

from registry.domain.resident import HealthCheck, Quarantine
from registry.entrypoints.inputs import Body, Note, ReasonCode, RecordView, Text


class StartQuarantine(Body):
    kind: Literal["home", "centralized"]
    planned_end: date
    started_at: AwareDatetime | None = None
    reason_code: ReasonCode
    note: Note | None = None


class RecordHealthCheck(Body):
    temperature_c: float = Field(ge=30, le=45)
    symptoms: list[Text] = Field(default_factory=list, max_length=20)
    checked_at: AwareDatetime | None = None


class EndQuarantine(Body):
    outcome: Literal["released", "hospitalized", "transferred"]
    ended_at: AwareDatetime | None = None
    reason_code: ReasonCode
    note: Note | None = None


class ChangePlannedEnd(Body):
    planned_end: date
    reason_code: ReasonCode = Field(validation_alias=AliasChoices("reason_code", "reason"))
    note: Note | None = None


class HealthCheckView(BaseModel):
    check_id: str
    temperature_c: float
    fever: bool
    symptoms: list[str]
    checked_by: str
    checked_at: datetime

    @classmethod
    def of(cls, c: HealthCheck) -> "HealthCheckView":
        return cls(check_id=c.check_id, temperature_c=c.temperature_c, fever=c.fever, symptoms=c.symptoms,
                   checked_by=c.checked_by, checked_at=c.checked_at)


class PlannedEndChangeView(BaseModel):
    previous_planned_end: date
    planned_end: date
    reason: str
    note: str | None
    changed_by: str
    changed_at: datetime


class DecisionView(RecordView):  # of a Decision
    """Who decided what about the quarantine, and why (the note is the registry's own record)."""

    decision_id: str
    action: str = Field(description="started, extended, shortened or ended.")
    reason_code: str
    note: str | None
    decided_by: str = Field(description="The staff member (token subject).")
    decided_at: datetime
    appeal_id: str | None = Field(description="Set when this decision carried out an appeal's outcome.")


class QuarantineView(BaseModel):
    quarantine_id: str
    kind: str
    started_at: datetime
    planned_end: date
    ended_at: datetime | None
    outcome: str | None
    contact_of: str | None = Field(description="The case this quarantine was started for, if a close contact.")
    planned_end_changes: list[PlannedEndChangeView]
    missed_check_days: list[date] = Field(description="Whole days (town local time) that passed without a check.")
    checks: list[HealthCheckView]
    decisions: list[DecisionView] = Field(description="Who started, extended, shortened or ended it, and why.")

    @classmethod
    def of(cls, q: Quarantine) -> "QuarantineView":
        return cls(quarantine_id=q.quarantine_id, kind=q.kind, started_at=q.started_at, planned_end=q.planned_end,
                   ended_at=q.ended_at, outcome=q.outcome, contact_of=q.contact_of,
                   planned_end_changes=[PlannedEndChangeView(**vars(c)) for c in q.changes],
                   missed_check_days=q.missed_days, checks=[HealthCheckView.of(c) for c in q.checks],
                   decisions=[DecisionView.of(d) for d in q.decisions])


class LinkContact(Body):
    contact_resident_id: Text
    last_contact_on: date


class ContactView(BaseModel):
    link_id: str
    contact_resident_id: str
    last_contact_on: date
    linked_by: str
    linked_at: datetime
