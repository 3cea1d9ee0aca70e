"""The labor api: employers, labour demand, job seekers, eligibility, matching, dispatch
batches, enterprise resumption cases and figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.http import After, Limit
from towngrid_kit.auth import Principal, require_roles
from towngrid_kit.errors import NotFound
from towngrid_kit.http import ApiResources, create_app, serve
from towngrid_kit.settings import load_settings
from labor.bootstrap import build
from labor.config import LaborSettings
from labor.domain.places import CITIES, PROVINCES, is_local
from labor.entrypoints import batches, resumption
from towngrid_kit.paging import Page, page_of
from towngrid_kit.grid import ensure_compound, grid_filter
from labor.entrypoints.deps import Service
from labor.entrypoints.roles import Admin, FigureReader, GridStaff, Officer, Staff
from labor.entrypoints.scope import (
    eligibility_shown_to,
    ensure_own_enterprise,
    ensure_resident,
    enterprise_filter,
    is_liaison,
    why_not_hidden_from,
)
from labor.entrypoints.schemas import (
    ConfirmMatch,
    PostDemand,
    RegisterEmployer,
    RegisterJobSeeker,
    view,
)
from labor.service.employment import DemandInput, job_seeker_id_of
from towngrid_kit.ids import utcnow

EMPTY_PAGE: Page[dict[str, Any]] = Page(items=[])

router = APIRouter()


def demand_view(d: Any) -> dict[str, Any]:  # noqa: ANN401
    return view(d, filled=d.filled, open_positions=d.open_positions, status=d.status, local=d.local)


@router.get("/places", tags=["places"], summary="The fixed list of provinces and cities (with codes)")
async def places(_: Annotated[Principal, Depends(require_roles())]) -> dict[str, Any]:
    return {"provinces": [{"province": code, "label": label, "local": is_local(code),
                           "cities": [{"city_code": c, "label": n} for c, n in CITIES[code].items()]}
                          for code, label in PROVINCES.items()]}


@router.post("/employers", status_code=201, tags=["employers"], summary="Register an employer (local or elsewhere)")
async def register_employer(body: RegisterEmployer, service: Service, once: OncePerKey,
                            principal: Admin) -> JSONResponse:
    return await once.created(body, service.employment.register_employer(body.name, body.province, body.city_code),
                              lambda employer: view(employer, local=employer.local))


@router.get("/employers/{enterprise_id}", tags=["employers"], summary="An employer and its labour demand")
async def get_employer(enterprise_id: str, service: Service, principal: Staff) -> dict[str, Any]:
    employer = await service.employment.get_employer(enterprise_id)
    ensure_own_enterprise(principal, enterprise_id, f"employer {enterprise_id}")
    demands = await service.resumption.linked_demands(enterprise_id)
    return view(employer, local=employer.local, demands=[demand_view(d) for d in demands])


@router.get("/employers", tags=["employers"], response_model=Page[dict[str, Any]], summary="Employers, a page at a time")
async def list_employers(service: Service, principal: Staff, province: str | None = None, after: After = None,
                         limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return EMPTY_PAGE
    query = ({"province": province} if province else {}) | own
    found = await service.employment.page_employers(query, after, limit + 1)
    return page_of(found, limit, lambda e: e.enterprise_id, lambda e: view(e, local=e.local))


@router.post("/demands", status_code=201, tags=["demand"], summary="Post an employer's labour demand")
async def post_demand(body: PostDemand, service: Service, once: OncePerKey, principal: Officer) -> JSONResponse:
    ensure_own_enterprise(principal, body.enterprise_id, f"employer {body.enterprise_id}")
    return await once.created(body, service.employment.post_demand(DemandInput(**body.model_dump())), demand_view)


@router.get("/demands/{demand_id}", tags=["demand"], summary="A labour demand and its confirmed matches")
async def get_demand(demand_id: str, service: Service, principal: Staff) -> dict[str, Any]:
    demand = await service.employment.demands.get(demand_id)
    ensure_own_enterprise(principal, demand.enterprise_id, f"demand {demand_id}")
    return demand_view(demand)


@router.get("/demands", tags=["demand"], response_model=Page[dict[str, Any]], summary="Labour demand, a page at a time")
async def list_demands(service: Service, principal: Staff, enterprise_id: str | None = None,
                       status: Annotated[str | None, Query(pattern="^(open|filled)$")] = None, after: After = None,
                       limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return EMPTY_PAGE
    query = {k: v for k, v in (("enterprise_id", enterprise_id), ("status", status)) if v} | own
    found = await service.employment.page_demands(query, after, limit + 1)
    return page_of(found, limit, lambda d: d.demand_id, demand_view)


@router.get("/demands/{demand_id}/candidates", tags=["matching"],
            summary="Ranked candidates for a demand, with the reason for each rank")
async def candidates(demand_id: str, service: Service, principal: Officer, limit: Limit = 50) -> dict[str, Any]:
    owner = (await service.employment.demands.get(demand_id)).enterprise_id
    ensure_own_enterprise(principal, owner, f"demand {demand_id}")
    demand, ranked = await service.employment.candidates(demand_id, limit)
    return {"demand_id": demand.demand_id, "open_positions": demand.open_positions,
            "candidates": [view(c.for_employer() if is_liaison(principal) else c) for c in ranked]}


@router.post("/demands/{demand_id}/matches", status_code=201, tags=["matching"],
             summary="Confirm a match (WorkerMatched); a demand is never over-filled")
async def confirm_match(demand_id: str, body: ConfirmMatch, service: Service, once: OncePerKey,
                        principal: Officer) -> JSONResponse:
    owner = (await service.employment.demands.get(demand_id)).enterprise_id
    ensure_own_enterprise(principal, owner, f"demand {demand_id}")

    async def action() -> tuple[int, object]:
        with why_not_hidden_from(principal):
            demand, seeker, match_id = await service.employment.confirm_match(demand_id, body.job_seeker_id,
                                                                              body.placement)
        return 201, {"match_id": match_id, "demand": demand_view(demand), "job_seeker": view(seeker)}

    return await once(body, action)


@router.post("/job-seekers", status_code=201, tags=["job seekers"],
             summary="Register a resident as a job seeker (opt-in; again: the same seeker, 200)")
async def register_job_seeker(body: RegisterJobSeeker, service: Service, once: OncePerKey,
                              principal: GridStaff) -> JSONResponse:
    known = await service.projections.known_resident(body.resident_id)
    if known is not None:  # an unknown resident is the use case's 422
        await ensure_compound(principal, service.grid, known.get("compound_id"))

    async def action() -> tuple[int, object]:
        seeker, created = await service.employment.register_seeker(
            body.resident_id, body.skills, body.preferred_provinces)
        return (201 if created else 200), view(seeker, created=created)

    return await once(body, action)


@router.get("/job-seekers/{job_seeker_id}", tags=["job seekers"], summary="A job seeker, with eligibility now")
async def get_job_seeker(job_seeker_id: str, service: Service, principal: Staff) -> dict[str, Any]:
    seeker = await service.employment.seekers.get(job_seeker_id)
    ensure_own_enterprise(principal, seeker.match.enterprise_id if seeker.match else None, f"job seeker {job_seeker_id}")
    await ensure_compound(principal, service.grid, seeker.compound_id)
    eligibility = await service.projections.eligibility_of(seeker.resident_id, utcnow())
    return view(seeker, eligibility=eligibility_shown_to(principal, view(eligibility)))


@router.get("/job-seekers", tags=["job seekers"], response_model=Page[dict[str, Any]], summary="Job seekers, a page at a time")
async def list_job_seekers(service: Service, principal: Staff, matched: bool | None = None, after: After = None,
                           limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:  # a liaison: the seekers matched to its enterprise
        return EMPTY_PAGE
    query = ({"matched": matched} if matched is not None else {}) | own | await grid_filter(principal, service.grid)
    found = await service.employment.page_seekers(query, after, limit + 1)
    return page_of(found, limit, lambda s: s.job_seeker_id, view)


@router.post("/job-seekers/{job_seeker_id}/local-placement", tags=["job seekers"],
             summary="Record that a locally matched seeker started work")
async def place_locally(job_seeker_id: str, service: Service, principal: Officer) -> dict[str, Any]:
    seeker = await service.employment.seekers.get(job_seeker_id)
    ensure_own_enterprise(principal, seeker.match.enterprise_id if seeker.match else None, f"job seeker {job_seeker_id}")
    return view(await service.employment.place_locally(job_seeker_id))


@router.get("/eligibility/{resident_id}", tags=["eligibility"],
            summary="Whether a resident may be dispatched now, with the reasons (from permits' and registry's events)")
async def eligibility(resident_id: str, service: Service, principal: Staff) -> dict[str, Any]:
    if is_liaison(principal):  # an enterprise sees the eligibility of the seekers matched to it only
        seeker = await service.employment.seeker_if_any(job_seeker_id_of(resident_id))
        if seeker is None:
            raise NotFound(f"resident {resident_id} is no job seeker")
        ensure_own_enterprise(principal, seeker.match.enterprise_id if seeker.match else None,
                              f"the eligibility of resident {resident_id}")
    await ensure_resident(principal, service.grid, await service.projections.known_resident(resident_id), resident_id)
    return eligibility_shown_to(principal, view(await service.projections.eligibility_of(resident_id, utcnow())))


@router.get("/figures", tags=["figures"], summary="Matched, dispatched per province, placed locally, resumed, problems")
async def figures(service: Service, _: FigureReader) -> dict[str, Any]:
    return view(await service.figures.now())


def create_labor_app(settings: LaborSettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.labor = build(resources.db)
        await app.state.labor.prepare()

    return create_app(service="labor", settings=settings, routers=[router, batches.router, resumption.router], setup=setup,
                      description="Labour demand, job seekers, matching, health-gated dispatch batches and "
                                  "enterprise resumption cases.")


def main() -> None:
    settings = load_settings(LaborSettings)
    serve(create_labor_app(settings), settings)
