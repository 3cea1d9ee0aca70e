"""Tips: public intake (no token, rate-limited, size-limited), staff intake, screening tasks.

The reporter's identity is stored with the tip but no officer view shows it, and no event carries it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from towngrid_kit.http import After, Limit, from_state
from towngrid_kit.paging import Page, page_of
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.auth import Principal
from towngrid_kit.request_limits import PublicRoute
from registry.domain.tip import Reporter, Tip
from registry.entrypoints.inputs import Body, Mobile, NationalId
from registry.entrypoints.scoping import Guard, ScopeGuard
from registry.service.tips import TipService
from registry.entrypoints.roles import Checker

MAX_PUBLIC_BYTES = 8_000
TipKind = Literal["unregistered_returnee", "quarantine_breach", "gathering", "other"]

router = APIRouter(tags=["tips"])


def public_routes(settings: Any) -> list[PublicRoute]:
    """Public tip intake: limited per client across replicas, JSON only, small bodies (kit ``BodySizeLimit``)."""
    return [PublicRoute("POST", "/tips/public", limit=settings.tips_public_per_minute, max_body_bytes=MAX_PUBLIC_BYTES)]


class TipBody(Body):
    kind: TipKind
    compound_id: Annotated[str, Field(min_length=1, max_length=40)]
    description: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        description="What was seen (kept in the registry; never published).")
    subject_national_id: NationalId | None = Field(default=None, description="The person's ID number, if known.")
    reporter_name: Annotated[str, Field(min_length=1, max_length=50)] | None = Field(
        default=None, description="Leave out to stay anonymous. Never shown to the officers who handle the tip.")
    reporter_mobile: Mobile | None = Field(default=None, description="Leave out to stay anonymous.")

    def reporter(self) -> Reporter | None:
        if self.reporter_name is None and self.reporter_mobile is None:
            return None
        return Reporter(self.reporter_name, self.reporter_mobile)


class StaffTipBody(TipBody):
    channel: Literal["hotline", "wechat", "in_person"]


class Screening(Body):
    outcome: Literal["returnee_registered", "breach_confirmed", "no_issue_found"]
    resident_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    note: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class Receipt(BaseModel):
    tip_id: str
    status: Literal["received"] = "received"


class TipView(BaseModel):
    """What the officers who screen a tip see: never who reported it."""

    tip_id: str
    screening_task_id: str
    kind: str
    channel: str
    compound_id: str
    description: str
    reported_at: datetime
    already_registered_resident_id: str | None = Field(
        description="The registered resident the tip names by ID number, if found in your scope.")
    status: Literal["open", "screened"]
    outcome: str | None
    outcome_resident_id: str | None
    outcome_note: str | None
    screened_by: str | None
    screened_at: datetime | None

    @classmethod
    def of(cls, t: Tip, matched: str | None) -> "TipView":
        """``matched``: the tip's ``matched_resident_id`` as far as the caller may see it (``ScopeGuard.tip_match``)."""
        return cls(tip_id=t.tip_id, screening_task_id=t.screening_task_id, kind=t.kind, channel=t.channel,
                   compound_id=t.compound_id, description=t.description, reported_at=t.reported_at,
                   already_registered_resident_id=matched, status="open" if t.open else "screened",
                   outcome=t.outcome, outcome_resident_id=t.outcome_resident_id, outcome_note=t.outcome_note,
                   screened_by=t.screened_by, screened_at=t.screened_at)


async def view(guard: ScopeGuard, who: Principal, tip: Tip) -> TipView:
    return TipView.of(tip, await guard.tip_match(who, tip))


Tips = Annotated[TipService, from_state("tips")]


@router.post("/tips/public", status_code=202, response_model=Receipt,
             summary="Report a tip (no token needed; anonymous allowed; rate-limited per client)",
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": TipBody.model_json_schema(ref_template="#/components/schemas/{model}")}}, "required": True}})
async def report_public(request: Request, service: Tips) -> JSONResponse:
    # Rate limit (429), content type (415) and size (413) are checked before this runs: BodySizeLimit.
    raw = await request.body()
    try:
        body = TipBody.model_validate_json(raw)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]) from None
    tip = await service.report(kind=body.kind, channel="checkpoint_qr", compound_id=body.compound_id,
                               description=body.description, subject_national_id=body.subject_national_id,
                               reporter=body.reporter())
    return JSONResponse(Receipt(tip_id=tip.tip_id).model_dump(mode="json"), status_code=202)


@router.post("/tips", status_code=201, response_model=TipView, summary="Record a tip taken by staff (hotline, WeChat)")
async def report_by_staff(body: StaffTipBody, service: Tips, guard: Guard, principal: Checker,
                          once: OncePerKey) -> JSONResponse:
    await guard.compound(principal, body.compound_id)

    async def action() -> tuple[int, object]:
        tip = await service.report(kind=body.kind, channel=body.channel, compound_id=body.compound_id,
                                   description=body.description, subject_national_id=body.subject_national_id,
                                   reporter=body.reporter())
        return 201, (await view(guard, principal, tip)).model_dump(mode="json")

    return await once(body, action)


@router.get("/tips", response_model=Page[TipView],
            summary="Screening tasks in your scope, by compound and status, a page at a time")
async def list_tips(service: Tips, guard: Guard, principal: Checker, compound_id: str | None = None,
                    status: Literal["open", "screened"] | None = None, after: After = None,
                    limit: Limit = 50) -> Page[TipView]:
    compounds = await guard.compounds(principal, compound_id)
    found = await service.page(compounds, None if status is None else status == "open", after, limit + 1)
    views = {t.tip_id: await view(guard, principal, t) for t in found[:limit]}
    return page_of(found, limit, lambda t: t.tip_id, lambda t: views[t.tip_id])


@router.get("/tips/{tip_id}", response_model=TipView, summary="One tip, as the officers see it")
async def get_tip(tip_id: str, guard: Guard, principal: Checker) -> TipView:
    return await view(guard, principal, await guard.tip(principal, tip_id))


@router.post("/tips/{tip_id}/screening", response_model=TipView, summary="Record the outcome of the screening")
async def screen(tip_id: str, body: Screening, service: Tips, guard: Guard, principal: Checker) -> TipView:
    await guard.tip(principal, tip_id)
    if body.resident_id is not None:
        await guard.other_resident(principal, body.resident_id, "body.resident_id")
    return await view(guard, principal, await service.screen(tip_id, body.outcome, body.resident_id, body.note,
                                                             principal.subject))
