"""The registry's HTTP request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from registry.domain.identity import (
    mask_mobile,
    mask_national_id,
    mobile_problem,
    national_id_problem,
    normalize_mobile,
    normalize_national_id,
)
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.decisions import Appeal, Decision
from registry.domain.resident import HealthCheck, Quarantine, Resident

Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterReturnee(_Body):
    national_id: str = Field(description="18-character citizen ID number (GB 11643 checksum).")
    name: Text
    mobile: str = Field(description="11-digit mainland mobile number.")
    address: Text = Field(description="Where the returnee stays (kept in the registry only).")
    compound_id: Text
    household_id: Text | None = None
    neighbour_group_id: Text | None = Field(default=None, description="The neighbour group (building or courtyard).")
    origin_province: Text
    origin_city: Text
    travel_mode: Text = Field(description="How they travelled, e.g. train, car, bus, plane.")
    arrived_on: date

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str) -> str:
        if problem := national_id_problem(value):
            raise ValueError(f"national_id {problem}")
        return normalize_national_id(value)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        if problem := mobile_problem(value):
            raise ValueError(f"mobile {problem}")
        return normalize_mobile(value)


ReasonCode = Annotated[str, Field(min_length=1, max_length=60, description=(
    "Why, one of the configured codes (REGISTRY_QUARANTINE_REASONS); an unknown code gets 422 naming them."))]
Note = Annotated[str, Field(min_length=1, max_length=1000, description=(
    "Free text (needed with reason_code other); kept in the registry only, never published."))]


class StartQuarantine(_Body):
    kind: Literal["home", "centralized"]
    planned_end: date
    started_at: AwareDatetime | None = None
    reason_code: ReasonCode
    note: Note | None = None


class RecordHealthCheck(_Body):
    temperature_c: float = Field(ge=30, le=45)
    symptoms: list[Text] = Field(default_factory=list, max_length=20)
    checked_at: AwareDatetime | None = None


class EndQuarantine(_Body):
    outcome: Literal["released", "hospitalized", "transferred"]
    ended_at: AwareDatetime | None = None
    reason_code: ReasonCode
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


class DecisionView(BaseModel):
    """Who decided what about the quarantine, and why (the note is the registry's own record)."""

    decision_id: str
    action: str = Field(description="started, extended, shortened or ended.")
    reason_code: str
    note: str | None
    decided_by: str = Field(description="The staff member (token subject).")
    decided_at: datetime
    appeal_id: str | None = Field(description="Set when this decision carried out an appeal's outcome.")

    @classmethod
    def of(cls, d: Decision) -> "DecisionView":
        return cls(**vars(d))


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


class ChangePlannedEnd(_Body):
    planned_end: date
    reason_code: ReasonCode = Field(validation_alias=AliasChoices("reason_code", "reason"))
    note: Note | None = None


class FileAppeal(_Body):
    resident_id: Text
    quarantine_id: Text = Field(description="The open quarantine appealed (its start and any extension).")
    statement: Note | None = Field(default=None, description="The person's grounds (kept in the registry only).")


class DecideAppeal(_Body):
    outcome: Literal["upheld", "overturned"]
    reason_code: str = Field(min_length=1, max_length=60,
                             description="One of the configured codes (REGISTRY_APPEAL_REASONS).")
    note: Note | None = None


class AppealView(BaseModel):
    appeal_id: str
    resident_id: str
    quarantine_id: str
    status: str = Field(description="open, upheld or overturned.")
    filed_by: str
    filed_at: datetime
    statement: str | None
    deciders: list[str] = Field(description="Who took the appealed decisions: none of them may review it.")
    reason_code: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, resident_id: str, a: Appeal) -> "AppealView":
        return cls(resident_id=resident_id, **vars(a))


class LinkContact(_Body):
    contact_resident_id: Text
    last_contact_on: date


class ContactView(BaseModel):
    link_id: str
    contact_resident_id: str
    last_contact_on: date
    linked_by: str
    linked_at: datetime


class VerifyItem(_Body):
    verified_at: AwareDatetime | None = Field(default=None, description="When it was verified (default: now).")


class ChecklistItemView(BaseModel):
    code: str
    title: str
    due_at: datetime
    done: bool
    verified_by: str | None
    verified_at: datetime | None
    overdue_escalations: int = Field(description="Overdue alerts raised so far (each one grid level higher).")

    @classmethod
    def of(cls, i: ChecklistItem) -> "ChecklistItemView":
        return cls(code=i.code, title=i.title, due_at=i.due_at, done=i.done, verified_by=i.done_by,
                   verified_at=i.done_at, overdue_escalations=i.escalations)


class ChecklistView(BaseModel):
    checklist_id: str
    opened_at: datetime
    completed_at: datetime | None
    escalation_chain: list[str] = Field(description="level:unit, from the first responsible to the town.")
    items: list[ChecklistItemView]

    @classmethod
    def of(cls, c: Checklist) -> "ChecklistView":
        return cls(checklist_id=c.checklist_id, opened_at=c.opened_at, completed_at=c.completed_at,
                   escalation_chain=[f"{level}:{unit}" for level, unit in c.chain],
                   items=[ChecklistItemView.of(i) for i in c.items])


class ReturnView(BaseModel):
    origin_province: str
    origin_city: str
    from_risk_area: bool
    travel_mode: str
    arrived_on: date
    registered_at: datetime


class LeftTownView(BaseModel):
    batch_id: str | None
    destination_province: str
    left_at: datetime


class ResidentView(BaseModel):
    """A resident's file; the national ID and mobile number are masked."""

    resident_id: str
    name: str
    national_id_masked: str
    mobile_masked: str
    household_id: str
    compound_id: str
    neighbour_group_id: str | None
    in_quarantine: bool
    version: int
    returns: list[ReturnView]
    quarantines: list[QuarantineView]
    checklist: ChecklistView | None
    contacts: list[ContactView]
    left_town: LeftTownView | None = Field(description="Set when the resident left town (e.g. with a labour batch).")
    vulnerable_category: str | None = Field(description="Set when enrolled as a vulnerable resident (see /care).")

    @classmethod
    def of(cls, r: Resident) -> "ResidentView":
        return cls(
            resident_id=r.resident_id, name=r.person.name,
            national_id_masked=mask_national_id(r.person.national_id), mobile_masked=mask_mobile(r.person.mobile),
            household_id=r.household_id, compound_id=r.compound_id, neighbour_group_id=r.neighbour_group_id,
            checklist=ChecklistView.of(r.checklist) if r.checklist else None,
            contacts=[ContactView(**vars(c)) for c in r.contacts],
            left_town=LeftTownView(**r.left_town) if r.left_town else None,
            vulnerable_category=r.care.category if r.care else None, in_quarantine=r.open_quarantine is not None,
            version=r.version,
            returns=[ReturnView(**vars(x)) for x in r.returns],
            quarantines=[QuarantineView.of(q) for q in r.quarantines],
        )


class FileEvent(BaseModel):
    event_type: str
    occurred_at: datetime
    version: int
    data: dict


class HistoryView(BaseModel):
    """One file per person: the current state, and every fact of it in order."""

    resident: ResidentView
    contact_of: list[str] = Field(description="Cases this resident is linked to as a close contact.")
    events: list[FileEvent]
    appeals: list[AppealView] = Field(default_factory=list, description="Appeals against quarantine decisions.")


class RegistrationView(BaseModel):
    created: bool = Field(description="False when this national ID was already registered and its file was updated.")
    resident: ResidentView


class ResidentPage(BaseModel):
    items: list[ResidentView]
    next_after: str | None = Field(description="Pass as `after` to get the next page; null on the last page.")
