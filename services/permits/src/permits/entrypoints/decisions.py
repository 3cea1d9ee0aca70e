"""HTTP: accountable decisions about a permit's holder (manual suspension and its lifting; revocation is in
``issued``) and appeals against a suspension or revocation, reviewed by someone other than the decider."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from permits.entrypoints.applications import Permits, view
from permits.entrypoints.schemas import (
    AppealView,
    ApplicationView,
    DecideAppeal,
    FileAppeal,
    HolderAppeal,
    HolderAppealView,
    PermitDecisionBody,
)
from permits.entrypoints.scope import ensure_sees
from permits.service.appeals import PermitAppealService
from permits.entrypoints.roles import AppealDecider, AppealFiler

router = APIRouter(tags=["decisions and appeals"])
public = APIRouter(tags=["decisions and appeals"])


def appeals(request: Request) -> PermitAppealService:
    return request.app.state.appeals


Appeals = Annotated[PermitAppealService, Depends(appeals)]


@router.post("/permits/{permit_id}/suspend", response_model=ApplicationView,
             summary="Suspend an issued permit, with the reason (who is recorded)")
async def suspend(permit_id: str, body: PermitDecisionBody, permits: Permits,
                  principal: AppealDecider) -> ApplicationView:
    ensure_sees(principal, await permits.get(permit_id))
    return view(await permits.suspend(permit_id, body.reason_code, body.note, principal.subject))


@router.post("/permits/{permit_id}/lift-suspension", response_model=ApplicationView,
             summary="Lift a manual suspension, with the reason (a holder in quarantine stays suspended)")
async def lift_suspension(permit_id: str, body: PermitDecisionBody, permits: Permits,
                          principal: AppealDecider) -> ApplicationView:
    ensure_sees(principal, await permits.get(permit_id))
    return view(await permits.lift_suspension(permit_id, body.reason_code, body.note, principal.subject))


@router.post("/appeals", status_code=201, response_model=AppealView,
             summary="Appeal a permit's suspension or revocation for its holder (the officer must cover the permit)")
async def file_appeal(body: FileAppeal, permits: Permits, service: Appeals, principal: AppealFiler,
                      once: OncePerKey) -> JSONResponse:
    permit = await permits.get(body.permit_id)
    ensure_sees(principal, permit)

    async def action() -> tuple[int, object]:
        _, appeal = await service.file(permit, "staff", principal.subject, body.statement)
        return 201, AppealView.of(permit.permit_id, appeal).model_dump(mode="json")

    return await once(body, action)


@public.post("/holder-appeals", status_code=201, response_model=HolderAppealView,
             summary="A holder appeals their permit's suspension or revocation, proving possession with its "
                     "verification code (public, rate-limited; a wrong code is refused without saying why)")
async def holder_appeal(body: HolderAppeal, service: Appeals) -> HolderAppealView:
    permit, appeal = await service.file_as_holder(body.verification_code, body.statement)
    return HolderAppealView(appeal_id=appeal.appeal_id, permit_id=permit.permit_id, filed_at=appeal.filed_at)


@router.get("/appeals/{appeal_id}", response_model=AppealView, summary="One appeal and its outcome")
async def get_appeal(appeal_id: str, service: Appeals, principal: AppealFiler) -> AppealView:
    permit = await service.permit_of(appeal_id)
    ensure_sees(principal, permit)
    return AppealView.of(permit.permit_id, permit.appeal(appeal_id))


@router.post("/appeals/{appeal_id}/decision", response_model=AppealView,
             summary="Review an appeal: upheld, or overturned (the permit is reinstated). Not by whoever took the "
                     "appealed decision or filed the appeal (403)")
async def decide_appeal(appeal_id: str, body: DecideAppeal, service: Appeals, principal: AppealDecider) -> AppealView:
    ensure_sees(principal, await service.permit_of(appeal_id))
    permit, appeal = await service.decide(appeal_id, body.outcome == "overturned", body.reason_code, body.note,
                                          principal.subject)
    return AppealView.of(permit.permit_id, appeal)
