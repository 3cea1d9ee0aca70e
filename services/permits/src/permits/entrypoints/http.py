"""The permits api: applications, joint review, permits and their verification, and who is in
quarantine as the permits service knows it (from the registry's events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel

from towngrid_kit.errors import NotFound
from towngrid_kit.http import ApiResources, create_app, serve
from towngrid_kit.request_limits import PublicRoute
from towngrid_kit.settings import load_settings
from towngrid_kit.paging import Page, page_of
from towngrid_kit.grid import GridDirectory, compounds_in_scope, ensure_compound
from permits.adapters.quarantine_roster import QuarantineRoster
from permits.adapters.resident_places import ResidentPlaces
from permits.bootstrap import build_appeal_service, build_permit_service
from permits.config import PermitsSettings
from permits.entrypoints import applications, decisions, issued
from permits.entrypoints.applications import Grid
from permits.entrypoints.roles import Reader

router = APIRouter(tags=["quarantine roster"])


class QuarantineStatus(BaseModel):
    resident_id: str
    in_quarantine: bool
    quarantine_id: str | None
    kind: str | None = None
    since: datetime | None = None
    planned_end: date | None = None
    ended_at: datetime | None = None
    version: int

    @classmethod
    def of(cls, doc: dict[str, Any]) -> "QuarantineStatus":
        return cls(resident_id=doc["_id"], **{k: v for k, v in doc.items() if k in cls.model_fields})


def roster(request: Request) -> QuarantineRoster:
    return request.app.state.roster


@router.get("/quarantine-status/{resident_id}", response_model=QuarantineStatus,
            summary="Whether a resident is in quarantine (from the registry's events)")
async def get_status(resident_id: str, found: Annotated[QuarantineRoster, Depends(roster)], grid: Grid,
                     principal: Reader) -> QuarantineStatus:
    doc = await found.get(resident_id)
    if doc is None:
        raise NotFound(f"no quarantine known for resident {resident_id}")
    await ensure_compound(principal, grid, doc.get("compound_id"))
    return QuarantineStatus.of(doc)


@router.get("/quarantine-status", response_model=Page[QuarantineStatus], summary="Residents by quarantine status")
async def list_status(found: Annotated[QuarantineRoster, Depends(roster)], grid: Grid, principal: Reader,
                      in_quarantine: bool | None = True, after: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[QuarantineStatus]:
    docs = await found.page(in_quarantine, after, limit + 1, await compounds_in_scope(principal, grid))
    return page_of(docs, limit, lambda d: d["_id"], QuarantineStatus.of)


def public_routes(settings: PermitsSettings) -> list[PublicRoute]:
    """The routes anyone may call: per-client limits across replicas, JSON only, small bodies."""
    reads = settings.public_reads_per_window
    return [
        PublicRoute("POST", "/online-applications", limit=settings.public_applications_per_window,
                    max_body_bytes=16_384),
        PublicRoute("GET", "/applications/{permit_id}/status", limit=reads),
        PublicRoute("POST", "/verify", limit=reads, max_body_bytes=4_096),
        PublicRoute("GET", "/verification-key", limit=reads),
        PublicRoute("POST", "/holder-appeals", limit=settings.public_appeals_per_window, max_body_bytes=8_192),
    ]


def create_permits_app(settings: PermitsSettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.grid = GridDirectory(resources.db)
        await app.state.grid.ensure_indexes()
        app.state.places = ResidentPlaces(resources.db)
        app.state.roster = QuarantineRoster(resources.db)
        await app.state.roster.ensure_indexes()
        app.state.permits = await build_permit_service(resources.db, settings)
        app.state.appeals = build_appeal_service(resources.db, settings, app.state.permits)

    return create_app(service="permits", settings=settings,
                      routers=[applications.router, issued.router, issued.public, router, decisions.router,
                               decisions.public], setup=setup,
                      public_routes=public_routes(settings),
                      description="One-stop permits: applications at windows, service points and online by a "
                                  "checkpoint's QR code; joint review; signed verification codes; suspension "
                                  "while the holder is in quarantine (from the registry's events).")


def main() -> None:
    settings = load_settings(PermitsSettings)
    serve(create_permits_app(settings), settings)
