"""HTTP: applying (window, service point, online by a checkpoint's QR code), status, joint review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.auth import Principal, Role
from towngrid_kit.errors import InvalidInput
from towngrid_kit.paging import Page, page_of
from towngrid_kit.grid import GridDirectory, Place
from permits.domain.permit import Permit
from permits.entrypoints.application_bodies import CounterApplication, OnlineApplication, details_of
from permits.entrypoints.schemas import ApplicantView, ApplicationView, ChecklistUpdate, Decision
from permits.entrypoints.scope import (checkpoint_place, counter_place, ensure_sees, grid_filter, reviewer_department,
                                       service_point_community)
from permits.adapters.resident_places import ResidentPlaces
from permits.service.permits import Application, PermitService
from permits.entrypoints.roles import CounterStaff, Decider, Reader

Status = Literal["under_review", "issued", "rejected", "suspended", "revoked", "expired"]
PermitType = Literal["health_certificate", "vehicle_pass", "business_reopening"]

router = APIRouter(tags=["applications"])


def service(request: Request) -> PermitService:
    return request.app.state.permits


Permits = Annotated[PermitService, Depends(service)]


def grid_units(request: Request) -> GridDirectory:
    return request.app.state.grid


Grid = Annotated[GridDirectory, Depends(grid_units)]


def resident_places(request: Request) -> ResidentPlaces:
    return request.app.state.places


Places = Annotated[ResidentPlaces, Depends(resident_places)]


def view(p: Permit, principal: Principal | None = None) -> ApplicationView:
    """A staff view: a reviewer sees only their department's step; no one sees the verification code."""
    department = reviewer_department(principal) if principal and principal.role == Role.PERMIT_REVIEWER else None
    return ApplicationView.of(p, only_department=department)


def application_of(body: Any, channel: str, service_point_id: str | None, checkpoint_id: str | None,
                   where: Place) -> Application:
    return Application(permit_type=body.permit_type, holder_resident_id=getattr(body, "holder_resident_id", None),
                       merchant_id=getattr(body, "merchant_id", None), channel=channel,
                       service_point_id=service_point_id, checkpoint_id=checkpoint_id, details=details_of(body),
                       requested_until=body.valid_until, compound_id=where.compound_id, community_id=where.community_id)


@router.post("/applications", status_code=201, response_model=ApplicationView,
             summary="Take an application at a town hall window or a community service point")
async def apply_at_counter(body: Annotated[CounterApplication, Body()], request: Request, permits: Permits,
                           grid: Grid, places: Places, principal: CounterStaff, once: OncePerKey) -> JSONResponse:
    counter = await service_point_community(grid, body.channel, body.service_point_id,
                                            request.app.state.settings.windows)
    # Placed (and the caller's scope checked) before anything about the holder's quarantine is looked at.
    where = await counter_place(grid, places, principal, holder_resident_id=getattr(body, "holder_resident_id", None),
                                compound_id=body.compound_id, service_point_community=counter)

    async def action() -> tuple[int, object]:
        permit, receipt = await permits.apply(application_of(body, body.channel, body.service_point_id, None, where))
        shown = view(permit)
        shown.receipt = receipt
        return 201, shown.model_dump(mode="json")

    return await once(body, action)


@router.post("/online-applications", status_code=201, response_model=ApplicantView,
             summary="Apply online after scanning a checkpoint's QR code, with the holder key of the holder's "
                     "registration slip (public: no staff token)")
async def apply_online(body: Annotated[OnlineApplication, Body()], permits: Permits, grid: Grid, places: Places,
                       once: OncePerKey) -> JSONResponse:
    checkpoint_id = permits.checkpoint_of(body.qr_code)
    # The applicant's compound: its gate's QR poster was scanned (the holder's own place is not looked up).
    where = await checkpoint_place(grid, checkpoint_id, "body.qr_code")
    # Only the holder (or their guardian) has the key: the receipt, and so the code once issued, is theirs.
    # The same refusal for a wrong key and for a resident not registered.
    if not await places.holder_proven(body.holder_resident_id, body.holder_key):
        raise InvalidInput("holder_key does not prove the holder: use the key on the holder's registration slip",
                           field="body.holder_key")

    async def action() -> tuple[int, object]:
        # The same answer whether the holder is in quarantine or not: see apply.
        permit, receipt = await permits.apply(application_of(body, "online_qr", None, checkpoint_id, where))
        shown = ApplicantView.public_of(permit, permits.verification_code(permit))
        shown.receipt = receipt
        return 201, shown.model_dump(mode="json")

    return await once(body, action)


@router.get("/applications/{permit_id}/status", response_model=ApplicantView,
            summary="The applicant's own view of an application (public, with the receipt given when applying; "
                    "no personal details are shown)")
async def applicant_status(permit_id: str, permits: Permits,
                           receipt: Annotated[str, Query(min_length=8, max_length=100, description="The receipt from the application's answer.")],
                           ) -> ApplicantView:
    permit = await permits.applicant_view(permit_id, receipt)
    return ApplicantView.public_of(permit, permits.verification_code(permit))


@router.get("/applications/{permit_id}", response_model=ApplicationView, summary="One application or permit")
async def get_application(permit_id: str, permits: Permits, principal: Reader) -> ApplicationView:
    permit = await permits.get(permit_id)
    ensure_sees(principal, permit)
    return view(permit, principal)


@router.get("/applications", response_model=Page[ApplicationView],
            summary="Applications and permits, a page at a time (a reviewer sees only their department's)")
async def list_applications(permits: Permits, principal: Reader,
                            holder_id: Annotated[str | None, Query(max_length=100)] = None,
                            status: Status | None = None, permit_type: PermitType | None = None,
                            awaiting_my_review: Annotated[bool, Query(description="Reviewers: only steps of my department still open; town admins: " "only escalated (overdue) steps.")] = False,
                            after: Annotated[str | None, Query(description="The last permit_id of the previous page.")] = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Page[ApplicationView]:
    query: dict[str, Any] = {k: v for k, v in (("holder_id", holder_id), ("status", status),
                                               ("permit_type", permit_type)) if v is not None}
    query.update(grid_filter(principal))
    if principal.role == Role.PERMIT_REVIEWER:
        department = reviewer_department(principal)
        query["pending_departments" if awaiting_my_review else "departments"] = department
    elif awaiting_my_review:
        if principal.role != Role.TOWN_ADMIN:
            raise HTTPException(403, "only reviewers and town admins have a review queue")
        query["escalated"] = True
    found = await permits.page(query, after, limit + 1)
    return page_of(found, limit, lambda p: p.permit_id, lambda p: view(p, principal))


@router.post("/applications/{permit_id}/reviews/{department}", response_model=ApplicationView,
             summary="A department approves or rejects its step (town admins: escalated steps only)")
async def decide(permit_id: str, department: str, body: Decision, permits: Permits,
                 principal: Decider) -> ApplicationView:
    escalated = principal.role == Role.TOWN_ADMIN
    if not escalated and reviewer_department(principal) != department:
        raise HTTPException(403, f"a reviewer of {principal.department} may not decide for {department}")
    ensure_sees(principal, await permits.get(permit_id))
    permit = await permits.decide(permit_id, department, approve=body.decision == "approve", reason=body.reason,
                                  reason_code=body.reason_code, decided_by=principal.subject, escalated=escalated)
    return view(permit, principal)


@router.post("/applications/{permit_id}/checklist", response_model=ApplicationView,
             summary="Tick items of a business reopening's opening standard (all are needed before approval)")
async def update_checklist(permit_id: str, body: ChecklistUpdate, permits: Permits,
                           principal: CounterStaff) -> ApplicationView:
    items = body.model_dump(exclude_unset=True)
    if not items:
        raise InvalidInput("name at least one checklist item", field="body")
    ensure_sees(principal, await permits.get(permit_id))
    return view(await permits.update_checklist(permit_id, items), principal)
