"""Duty rosters for the checkpoints: people on duty with their unit, shifts, 24-hour coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from towngrid_kit.http import After, Limit, from_state
from towngrid_kit.paging import Page, page_of
from towngrid_kit.idempotency import OncePerKey
from registry.domain.duty import DutyPerson
from registry.domain.identity import mask_mobile
from registry.entrypoints.inputs import Body, Mobile, RecordView
from registry.entrypoints.scoping import Guard
from registry.service.duty import DutyService
from towngrid_kit.errors import InvalidInput, NotFound
from registry.entrypoints.roles import Staff

Days = Annotated[int, Query(ge=1, le=14)]

router = APIRouter(prefix="/duty", tags=["duty rosters"])


class NewPerson(Body):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    mobile: Mobile | None = None
    kind: Literal["party_member", "county_staff", "community_staff", "volunteer"]
    unit_level: Literal["town", "community", "compound"]
    unit_id: Annotated[str, Field(min_length=1, max_length=40)]


class NewShift(Body):
    checkpoint_id: Annotated[str, Field(min_length=1, max_length=50)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CoverageCheck(Body):
    checkpoint_ids: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=500, description="Omit for every checkpoint of the grid.")
    days: int | None = Field(default=None, ge=1, le=14)


class ShiftView(RecordView):  # of a Shift
    shift_id: str
    checkpoint_id: str
    starts_at: datetime
    ends_at: datetime


class PersonView(BaseModel):
    person_id: str
    name: str
    mobile_masked: str | None
    kind: str
    unit_level: str
    unit_id: str
    shifts: list[ShiftView]

    @classmethod
    def of(cls, p: DutyPerson) -> "PersonView":
        return cls(person_id=p.person_id, name=p.name, mobile_masked=mask_mobile(p.mobile) if p.mobile else None,
                   kind=p.kind, unit_level=p.unit_level, unit_id=p.unit_id,
                   shifts=[ShiftView.of(s) for s in sorted(p.shifts, key=lambda s: s.starts_at)])


class SlotView(BaseModel):
    slot_start: datetime
    slot_end: datetime
    rostered_staff: int = Field(description="The fewest people on duty at any moment of the slot (from now).")
    gap: bool


class CoverageView(BaseModel):
    checkpoint_id: str
    required_staff: int
    covered_24h: bool = Field(description="Every slot of the coming 24 hours has enough people.")
    slots: list[SlotView]


class CoverageReport(BaseModel):
    checkpoints: int
    gaps_detected: int
    gaps_restored: int
    checkpoints_with_gaps: int


Duty = Annotated[DutyService, from_state("duty")]


@router.post("/people", status_code=201, response_model=PersonView, summary="Register a person on duty with their unit")
async def register_person(body: NewPerson, service: Duty, principal: Staff, guard: Guard,
                          once: OncePerKey) -> JSONResponse:
    await guard.unit(principal, body.unit_level, body.unit_id)
    return await once.created(body, service.register_person(
        body.name, body.mobile, body.kind, body.unit_level, body.unit_id,
    ), PersonView.of)


@router.get("/people", response_model=Page[PersonView], summary="People on duty, a page at a time")
async def list_people(service: Duty, principal: Staff, guard: Guard, unit_id: str | None = None, after: After = None,
                      limit: Limit = 50) -> Page[PersonView]:
    place = await guard.unit_filter(principal, unit_id)
    found = await service.people(unit_id, after, limit + 1, *((place.community, place.compound) if place else ()))
    return page_of(found, limit, lambda p: p.person_id, PersonView.of)


@router.get("/people/{person_id}", response_model=PersonView, summary="A person on duty and their shifts")
async def get_person(person_id: str, principal: Staff, guard: Guard) -> PersonView:
    return PersonView.of(await guard.duty_person(principal, person_id))


@router.post("/people/{person_id}/shifts", status_code=201, response_model=ShiftView,
             summary="Schedule a shift at a checkpoint (a person's shifts never overlap)")
async def schedule(person_id: str, body: NewShift, service: Duty, principal: Staff, guard: Guard,
                   once: OncePerKey) -> JSONResponse:
    await guard.duty_person(principal, person_id)
    try:
        await guard.checkpoint(principal, body.checkpoint_id)
    except NotFound as error:
        raise InvalidInput(error.detail, field="body.checkpoint_id") from None
    return await once.created(body, service.schedule(
        person_id, body.checkpoint_id, body.starts_at, body.ends_at,
    ), ShiftView.of)


@router.get("/checkpoints/{checkpoint_id}/coverage", response_model=CoverageView,
            summary="A checkpoint's coverage in 8-hour slots for the coming days")
async def checkpoint_coverage(checkpoint_id: str, service: Duty, principal: Staff, guard: Guard,
                              days: Days = 3) -> CoverageView:
    await guard.checkpoint(principal, checkpoint_id)
    found = await service.coverage(checkpoint_id, days)
    views = [SlotView(slot_start=s.slot_start, slot_end=s.slot_end, rostered_staff=s.rostered,
                      gap=s.rostered < service.required_staff) for s in found]
    return CoverageView(checkpoint_id=checkpoint_id, required_staff=service.required_staff,
                        covered_24h=not any(v.gap for v in views[:4]), slots=views)


@router.post("/coverage-checks", response_model=CoverageReport,
             summary="Assess coverage now: raise CheckpointCoverageGapDetected for each newly uncovered slot")
async def check_coverage(body: CoverageCheck, request: Request, service: Duty, principal: Staff,
                         guard: Guard) -> CoverageReport:
    days = body.days or request.app.state.settings.coverage_days
    return CoverageReport(**await service.check(await guard.checkpoints(principal, body.checkpoint_ids), days))
