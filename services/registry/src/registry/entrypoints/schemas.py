"""HTTP bodies of a resident's file: registration, the file and its history, the checklist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from registry.domain.identity import mask_mobile, mask_national_id
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.resident import Resident
from registry.entrypoints.appeal_schemas import AppealView
from registry.entrypoints.inputs import Body, Mobile, NationalId, Text
from registry.entrypoints.quarantine_schemas import ContactView, QuarantineView


class RegisterReturnee(Body):
    national_id: NationalId = Field(description="18-character citizen ID number (GB 11643 checksum).")
    name: Text
    mobile: Mobile = Field(description="11-digit mainland mobile number.")
    address: Text = Field(description="Where the returnee stays (kept in the registry only).")
    compound_id: Text
    household_id: Text | None = None
    neighbour_group_id: Text | None = Field(default=None, description="The neighbour group (building or courtyard).")
    origin_province: Text
    origin_city: Text
    travel_mode: Text = Field(description="How they travelled, e.g. train, car, bus, plane.")
    arrived_on: date


class VerifyItem(Body):
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
    changed: list[Literal["name", "mobile", "address"]] = Field(
        default_factory=list, description="Registered again: the fields whose values this registration replaced "
                                          "(the earlier values stay in the file's history, read as `earlier` "
                                          "with POST /residents/{id}/personal-data-reads).")
    holder_key: str = Field(description="For the registration slip handed to the resident (or their guardian), "
                                        "shown only in this answer: it proves the holder when applying online for "
                                        "a permit. Each registration gives a new key; the earlier one stops working.")
    resident: ResidentView

