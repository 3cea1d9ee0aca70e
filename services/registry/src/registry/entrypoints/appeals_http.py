"""Appeals against quarantine decisions: filed by an officer for the person, reviewed by someone else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from towngrid_kit.http import from_state
from towngrid_kit.idempotency import OncePerKey
from registry.entrypoints.appeal_schemas import AppealView, DecideAppeal, FileAppeal
from registry.entrypoints.scoping import Guard
from registry.service.appeals import AppealService
from registry.entrypoints.roles import Staff


router = APIRouter(tags=["appeals"])


Appeals = Annotated[AppealService, from_state("appeals")]


@router.post("/appeals", status_code=201, response_model=AppealView,
             summary="Appeal a person's quarantine on their behalf (the officer must cover the person)")
async def file_appeal(body: FileAppeal, service: Appeals, guard: Guard, principal: Staff,
                      once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, body.resident_id)

    async def action() -> tuple[int, object]:
        _, appeal = await service.file(body.resident_id, body.quarantine_id, principal.subject, body.statement)
        return 201, AppealView.of(body.resident_id, appeal).model_dump(mode="json")

    return await once(body, action)


@router.get("/appeals/{appeal_id}", response_model=AppealView, summary="One appeal and its outcome")
async def get_appeal(appeal_id: str, service: Appeals, guard: Guard, principal: Staff) -> AppealView:
    resident = await service.resident_of(appeal_id)
    await guard.resident(principal, resident.resident_id)
    return AppealView.of(resident.resident_id, resident.appeal(appeal_id))


@router.post("/appeals/{appeal_id}/decision", response_model=AppealView,
             summary="Review an appeal: upheld, or overturned (which ends the quarantine). Not by whoever took "
                     "an appealed decision or filed the appeal (403)")
async def decide_appeal(appeal_id: str, body: DecideAppeal, service: Appeals, guard: Guard,
                        principal: Staff) -> AppealView:
    resident = await service.resident_of(appeal_id)
    await guard.resident(principal, resident.resident_id)
    resident, appeal = await service.decide(appeal_id, body.outcome == "overturned", body.reason_code, body.note,
                                            principal.subject)
    return AppealView.of(resident.resident_id, appeal)
