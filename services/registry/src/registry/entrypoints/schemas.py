"""The registry's HTTP request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from registry.domain.identity import (
    mask_mobile,
    mask_national_id,
    mobile_problem,
    national_id_problem,
    normalize_mobile,
    normalize_national_id,
)
from registry.domain.checklist import Checklist, ChecklistItem
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


class StartQuarantine(_Body):
    kind: Literal["home", "centralized"]
    planned_end: date
    started_at: AwareDatetime | None = None


class RecordHealthCheck(_Body):
    temperature_c: float = Field(ge=30, le=45)
    symptoms: list[Text] = Field(default_factory=list, max_length=20)
    checked_at: AwareDatetime | None = None


class EndQuarantine(_Body):
    outcome: Literal["released", "hospitalized", "transferred"]
    ended_at: AwareDatetime | None = None


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

    @classmethod
    def of(cls, q: Quarantine) -> "QuarantineView":
        return cls(quarantine_id=q.quarantine_id, kind=q.kind, started_at=q.started_at, planned_end=q.planned_end,
                   ended_at=q.ended_at, outcome=q.outcome, contact_of=q.contact_of,
                   planned_end_changes=[PlannedEndChangeView(**vars(c)) for c in q.changes],
                   missed_check_days=q.missed_days, checks=[HealthCheckView.of(c) for c in q.checks])


class ChangePlannedEnd(_Body):
    planned_end: date
    reason: Literal["symptoms", "test_result", "contact_of_case", "policy_change", "medical_advice",
                    "error_correction", "other"]
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None, description="Free text, kept in the registry only (never published).")


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


class RegistrationView(BaseModel):
    created: bool = Field(description="False when this national ID was already registered and its file was updated.")
    resident: ResidentView


class ResidentPage(BaseModel):
    items: list[ResidentView]
    next_after: str | None = Field(description="Pass as `after` to get the next page; null on the last page.")
