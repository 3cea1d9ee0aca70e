"""The centralized isolation point's HTTP api: rooms, admissions, discharges, cleaning, occupancy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from towngrid_kit.http import After, Limit, from_state
from towngrid_kit.paging import Page, page_of
from towngrid_kit.idempotency import OncePerKey
from registry.domain.isolation import IsolationSite, Room
from registry.entrypoints.inputs import Body, RecordView
from registry.entrypoints.scoping import Guard
from registry.service.isolation import IsolationService
from registry.entrypoints.roles import Checker, Staff

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
SiteId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]

router = APIRouter(prefix="/isolation-sites", tags=["isolation point"])


class NewRoom(Body):
    zone_id: Id
    room_id: Id
    capacity: int = Field(ge=1, le=50)
    compound_id: Id | None = Field(default=None, description=(
        "Where a new site is set up (its community comes from the grid). With neither this nor community_id, "
        "a new site is the caller's: the town's for a town-wide token. Ignored for a site already set up."))
    community_id: Id | None = Field(default=None, description="The community a new site is set up in.")


class Admit(Body):
    resident_id: Annotated[str, Field(min_length=1, max_length=100)]
    room_id: Id | None = Field(default=None, description="Omit to take the first clean room with a free bed.")


class Discharge(Body):
    discharged_at: AwareDatetime | None = None


class RoomView(BaseModel):
    room_id: str
    zone_id: str
    capacity: int
    occupied: int
    free: int
    needs_cleaning: bool
    last_cleaned_at: datetime | None
    last_cleaned_by: str | None

    @classmethod
    def of(cls, r: Room) -> "RoomView":
        return cls(room_id=r.room_id, zone_id=r.zone_id, capacity=r.capacity, occupied=len(r.occupants), free=r.free,
                   needs_cleaning=r.needs_cleaning, last_cleaned_at=r.last_cleaned_at, last_cleaned_by=r.last_cleaned_by)


class ZoneView(BaseModel):
    zone_id: str
    capacity: int
    occupied: int
    rooms: list[RoomView]


class OccupancyView(BaseModel):
    site_id: str
    community_id: str | None = Field(description="Where the site was set up (null: run by the town).")
    compound_id: str | None
    capacity: int
    occupied: int
    free_beds_ready: int = Field(description="Free beds in rooms that are clean.")
    rooms_to_clean: int
    zones: list[ZoneView]

    @classmethod
    def of(cls, s: IsolationSite) -> "OccupancyView":
        zones: dict[str, list[Room]] = {}
        for room in sorted(s.rooms.values(), key=lambda r: r.room_id):
            zones.setdefault(room.zone_id, []).append(room)
        rooms = list(s.rooms.values())
        return cls(
            site_id=s.site_id, community_id=s.community_id, compound_id=s.compound_id, capacity=sum(r.capacity for r in rooms), occupied=sum(len(r.occupants) for r in rooms),
            free_beds_ready=sum(r.free for r in rooms if not r.needs_cleaning),
            rooms_to_clean=sum(1 for r in rooms if r.needs_cleaning),
            zones=[ZoneView(zone_id=z, capacity=sum(r.capacity for r in rs), occupied=sum(len(r.occupants) for r in rs),
                            rooms=[RoomView.of(r) for r in rs]) for z, rs in sorted(zones.items())],
        )


class AdmissionView(RecordView):  # of an Admission
    admission_id: str
    resident_id: str
    quarantine_id: str
    room_id: str
    admitted_at: datetime
    discharged_at: datetime | None


Isolation = Annotated[IsolationService, from_state("isolation")]


@router.get("", response_model=Page[OccupancyView], summary="Isolation sites and their occupancy, a page at a time")
async def list_sites(service: Isolation, principal: Staff, guard: Guard, after: After = None,
                     limit: Annotated[int, Query(ge=1, le=50)] = 20) -> Page[OccupancyView]:
    place = guard.site_filter(principal)
    sites = await service.sites(after, limit + 1, *((place.community, place.compound) if place else ()))
    return page_of(sites, limit, lambda s: s.site_id, OccupancyView.of)


@router.post("/{site_id}/rooms", status_code=201, response_model=RoomView,
             summary="Add a room with its capacity to a zone (the site and zone come with their first room)")
async def add_room(site_id: SiteId, body: NewRoom, service: Isolation, principal: Staff, guard: Guard,
                   once: OncePerKey) -> JSONResponse:
    place = await guard.new_site_place(principal, site_id, body.community_id, body.compound_id)
    return await once.created(body, service.add_room(
        site_id, body.zone_id, body.room_id, body.capacity, place.community, place.compound,
    ), RoomView.of)


@router.get("/{site_id}/occupancy", response_model=OccupancyView, summary="Occupancy at a glance")
async def occupancy(site_id: SiteId, principal: Staff, guard: Guard) -> OccupancyView:
    return OccupancyView.of(await guard.site(principal, site_id))


@router.post("/{site_id}/admissions", status_code=201, response_model=AdmissionView,
             summary="Admit a person in centralized quarantine and assign a room (never over capacity)")
async def admit(site_id: SiteId, body: Admit, service: Isolation, principal: Staff, guard: Guard,
                once: OncePerKey) -> JSONResponse:
    await guard.site(principal, site_id)
    await guard.other_resident(principal, body.resident_id, "body.resident_id")
    return await once.created(body, service.admit(site_id, body.resident_id, body.room_id), AdmissionView.of)


@router.get("/{site_id}/admissions", response_model=Page[AdmissionView], summary="Admissions, a page at a time")
async def list_admissions(site_id: SiteId, principal: Staff, guard: Guard, current: bool | None = None,
                          after: After = None, limit: Limit = 50) -> Page[AdmissionView]:
    site = await guard.site(principal, site_id)
    chosen = sorted((a for a in site.admissions.values()
                     if (current is None or a.current == current) and (after is None or a.admission_id > after)),
                    key=lambda a: a.admission_id)
    return page_of(chosen, limit, lambda a: a.admission_id, AdmissionView.of)


@router.post("/{site_id}/admissions/{admission_id}/discharge", response_model=AdmissionView,
             summary="Discharge a person; the room then needs cleaning")
async def discharge(site_id: SiteId, admission_id: str, body: Discharge, service: Isolation, principal: Staff,
                    guard: Guard) -> AdmissionView:
    await guard.site(principal, site_id)
    return AdmissionView.of(await service.discharge(site_id, admission_id, body.discharged_at))


@router.post("/{site_id}/rooms/{room_id}/cleanings", status_code=201, response_model=RoomView,
             summary="Record that a room was cleaned (needed before the next person)")
async def record_cleaning(site_id: SiteId, room_id: str, service: Isolation, principal: Checker, guard: Guard,
                          once: OncePerKey) -> JSONResponse:
    await guard.site(principal, site_id)
    return await once.created({}, service.record_cleaning(site_id, room_id, principal.subject), RoomView.of)
