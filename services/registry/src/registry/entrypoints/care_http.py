"""Vulnerable residents: enrolment, pairing with a helper, visits; missed visits are flagged by the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from towngrid_kit.http import After, Limit
from towngrid_kit.paging import Page, page_of
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.errors import NotFound
from registry.domain.care import Care
from registry.domain.resident import Resident
from registry.entrypoints.inputs import Body, RecordView
from registry.entrypoints.deps import Residents
from registry.entrypoints.scoping import Guard
from registry.entrypoints.roles import Checker, Staff

OpaqueId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,100}$")]
Supply = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,29}$")]

router = APIRouter(tags=["vulnerable residents"])


class Enrol(Body):
    category: Literal["elderly_living_alone", "homeless", "disabled", "other"]
    visit_every_days: int = Field(ge=1, le=31)
    relief_every_days: int | None = Field(default=None, ge=1, le=31, description="Relief parcels; none if omitted.")
    helper_id: OpaqueId | None = Field(default=None, description="Opaque id of the helper (staff or resident).")
    enrolled_at: AwareDatetime | None = Field(default=None, description="Default now; may be earlier (late entry).")


class Pair(Body):
    helper_id: OpaqueId


class Visit(Body):
    kind: Literal["home_visit", "medical"]
    supplies: list[Supply] = Field(default_factory=list, max_length=20, description="Supply codes, e.g. mask, rice.")
    visited_at: AwareDatetime | None = None


class VisitView(RecordView):  # of a CareVisit
    visit_id: str
    kind: str
    visited_by: str
    visited_at: datetime
    supplies: list[str]
    parcel_id: str | None


class CareView(BaseModel):
    resident_id: str
    compound_id: str
    category: str
    visit_every_days: int
    relief_every_days: int | None
    enrolled_at: datetime
    care_pair_id: str | None
    helper_id: str | None
    next_visit_due: datetime
    missed_visits: list[datetime]
    visits: list[VisitView]

    @classmethod
    def of(cls, r: Resident) -> "CareView":
        c: Care = r.care  # type: ignore[assignment]
        return cls(resident_id=r.resident_id, compound_id=r.compound_id, category=c.category,
                   visit_every_days=c.visit_every_days, relief_every_days=c.relief_every_days,
                   enrolled_at=c.enrolled_at, care_pair_id=c.care_pair_id, helper_id=c.helper_id,
                   next_visit_due=c.next_due(), missed_visits=c.missed, visits=[VisitView.of(v) for v in c.visits])




def _enrolled(resident: Resident) -> CareView:
    if resident.care is None:
        raise NotFound(f"resident {resident.resident_id} is not enrolled as a vulnerable resident")
    return CareView.of(resident)


@router.post("/residents/{resident_id}/care", status_code=201, response_model=CareView,
             summary="Enrol a vulnerable resident (optionally paired with a helper at once)")
async def enrol(resident_id: str, body: Enrol, service: Residents, guard: Guard, principal: Staff,
                once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)
    return await once.created(body, service.enrol_vulnerable(
        resident_id, body.category, body.visit_every_days, body.relief_every_days, body.helper_id, body.enrolled_at,
    ), CareView.of)


@router.get("/residents/{resident_id}/care", response_model=CareView, summary="A vulnerable resident's care")
async def get_care(resident_id: str, guard: Guard, principal: Checker) -> CareView:
    return _enrolled(await guard.resident(principal, resident_id))


@router.post("/residents/{resident_id}/care/helper", response_model=CareView, summary="Pair with a (new) helper")
async def pair(resident_id: str, body: Pair, service: Residents, guard: Guard, principal: Staff) -> CareView:
    await guard.resident(principal, resident_id)
    return CareView.of(await service.pair_helper(resident_id, body.helper_id))


@router.post("/residents/{resident_id}/care/visits", status_code=201, response_model=VisitView,
             summary="Record a visit (the caller is recorded as the visitor)")
async def record_visit(resident_id: str, body: Visit, service: Residents, guard: Guard, principal: Checker,
                       once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)

    async def action() -> tuple[int, object]:
        _, visit = await service.record_visit(resident_id, body.kind, body.supplies, principal.subject,
                                              body.visited_at)
        return 201, VisitView.of(visit).model_dump(mode="json")

    return await once(body, action)


@router.get("/care/residents", response_model=Page[CareView], summary="Vulnerable residents in your scope, a page at a time")
async def list_vulnerable(service: Residents, guard: Guard, principal: Checker,
                          category: Literal["elderly_living_alone", "homeless", "disabled", "other"] | None = None,
                          compound_id: str | None = None, after: After = None, limit: Limit = 50) -> Page[CareView]:
    found = await service.page_vulnerable(category, after, limit + 1, await guard.compounds(principal, compound_id))
    return page_of(found, limit, lambda r: r.resident_id, CareView.of)
