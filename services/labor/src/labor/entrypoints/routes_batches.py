"""The labor api, continued: dispatch batches, enterprise resumption cases and the figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import IdempotencyKey
from towngrid_kit.http import Limit
from towngrid_kit.auth import Principal, Role, require_roles
from labor.bootstrap import Labor
from labor.domain.batch import Batch
from labor.domain.resumption import ResumptionCase
from labor.entrypoints.schemas import (
    AddWorker,
    Arrival,
    Board,
    Dispatch,
    OpenCase,
    RaiseProblem,
    RecordAction,
    Resolve,
    Resume,
    ScheduleBatch,
    view,
)
from towngrid_kit.paging import Page, page_of
from towngrid_kit.grid import compounds_in_scope
from labor.entrypoints.scope import (
    ensure_own_enterprise,
    ensure_resident,
    enterprise_filter,
    is_liaison,
    why_not_hidden_from,
    workers_shown_to,
)
from towngrid_kit.ids import utcnow

OFFICERS = (Role.TOWN_ADMIN, Role.EMPLOYER_LIAISON)
STAFF = (*OFFICERS, Role.COMMUNITY_OFFICER)
FIGURE_READERS = (*STAFF, Role.COUNTY_SUBSCRIBER)

router = APIRouter()


def labor(request: Request) -> Labor:
    return request.app.state.labor


Service = Annotated[Labor, Depends(labor)]


def batch_view(b: Batch) -> dict[str, Any]:
    return view(b, seats_left=b.seats_left, boarded=[w.resident_id for w in b.boarded],
                flagged=[w.resident_id for w in b.workers if not w.eligible])


def case_view(c: ResumptionCase, demands: list[Any] | None = None) -> dict[str, Any]:  # noqa: ANN401
    now = utcnow()
    shown = view(c, status=c.status, open_problems=len(c.open_problems()),
                 overdue_problems=[p.issue_id for p in c.overdue_problems(now)])
    for problem, data in zip(c.problems, shown["problems"]):
        data["overdue"] = problem.overdue(now)
        data["status"] = "open" if problem.is_open else "resolved"
    if demands is not None:
        shown["demands"] = [{"demand_id": d.demand_id, "title": d.title, "headcount": d.headcount, "filled": d.filled,
                             "status": d.status, "province": d.province} for d in demands]
    return shown


def shown_to(principal: Principal, shown: dict[str, Any], b: Batch, compounds: list[str] | None) -> dict[str, Any]:
    """A batch as the caller may see it: a grid-scoped caller sees only the workers living in its
    scope; a liaison sees no reasons of eligibility."""
    shown["workers"] = workers_shown_to(principal, shown["workers"])
    if compounds is None:
        return shown
    mine = {w.resident_id for w in b.workers if w.compound_id in compounds}
    shown["workers"] = [w for w in shown["workers"] if w["resident_id"] in mine]
    shown["boarded"] = [r for r in shown["boarded"] if r in mine]
    shown["flagged"] = [r for r in shown["flagged"] if r in mine]
    return shown


async def batch_in_scope(service: Labor, principal: Principal, batch_id: str) -> tuple[Batch, list[str] | None]:
    """The batch (404 if none) if the caller may see it: a liaison its own enterprise's, a grid-scoped
    caller one that carries a worker living in its scope (403 otherwise); and the compounds it sees."""
    batch = await service.batches.batches.get(batch_id)
    ensure_own_enterprise(principal, batch.enterprise_id, f"batch {batch_id}")
    compounds = await compounds_in_scope(principal, service.grid)
    if compounds is not None and not any(w.compound_id in compounds for w in batch.workers):
        raise HTTPException(403, f"outside your scope ({principal.scope}): batch {batch_id} carries none of its residents")
    return batch, compounds


async def case_in_scope(service: Labor, principal: Principal, case_id: str) -> ResumptionCase:
    case = await service.resumption.cases.get(case_id)
    ensure_own_enterprise(principal, case.enterprise_id, f"resumption case {case_id}")
    return case


async def idempotent(request: Request, key: str | None, scope: str, body: Any, action: Any) -> JSONResponse:  # noqa: ANN401
    return await request.app.state.idempotency.run(key, scope, body, action)


@router.post("/batches", status_code=201, tags=["batches"], summary="Plan a dispatch batch for a demand elsewhere")
async def schedule_batch(body: ScheduleBatch, request: Request, service: Service,
                         principal: Annotated[Principal, Depends(require_roles(*OFFICERS))],
                         idempotency_key: IdempotencyKey = None) -> JSONResponse:
    if (demand := await service.batches.demands.repo.get(body.demand_id)) is not None:  # unknown: the use case's 422
        ensure_own_enterprise(principal, demand.enterprise_id, f"demand {body.demand_id}")

    async def action() -> tuple[int, object]:
        batch = await service.batches.schedule(body.demand_id, body.departure_at, body.vehicle_pass_id, body.seats)
        return 201, batch_view(batch)

    return await idempotent(request, idempotency_key, f"POST /batches {principal.subject}",
                            body.model_dump(mode="json"), action)


@router.get("/batches/{batch_id}", tags=["batches"],
            summary="A batch: its workers, flags and boarding; for an open batch also each worker's eligibility now")
async def get_batch(batch_id: str, service: Service,
                    principal: Annotated[Principal, Depends(require_roles(*STAFF))]) -> dict[str, Any]:
    batch, compounds = await batch_in_scope(service, principal, batch_id)
    shown = shown_to(principal, batch_view(batch), batch, compounds)
    if batch.status == "open" and batch.workers:
        # Read time: a certificate that ran out with no event shows here before the door check.
        now = await service.projections.eligibility([w.resident_id for w in batch.workers], utcnow())
        for worker in shown["workers"]:
            found = now[worker["resident_id"]]
            worker["eligible_now"], worker["reasons_now"] = found.eligible, found.reasons
        shown["workers"] = workers_shown_to(principal, shown["workers"])
    return shown


@router.get("/batches", tags=["batches"], response_model=Page[dict[str, Any]], summary="Batches, a page at a time")
async def list_batches(service: Service, principal: Annotated[Principal, Depends(require_roles(*STAFF))],
                       status: Annotated[str | None, Query(pattern="^(open|departed|arrived)$")] = None,
                       flagged: bool | None = None, after: str | None = None, limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return Page(items=[])
    query: dict[str, Any] = {k: v for k, v in (("status", status), ("flagged", flagged)) if v is not None} | own
    compounds = await compounds_in_scope(principal, service.grid)
    if compounds is not None:  # the batches carrying a worker who lives in the caller's scope
        query["worker_compounds"] = {"$in": compounds}
    found = await service.batches.batches.repo.find(query, after=after, limit=limit + 1)
    return page_of(found, limit, lambda b: b.batch_id, lambda b: shown_to(principal, batch_view(b), b, compounds))


@router.post("/batches/{batch_id}/workers", tags=["batches"],
             summary="Add a matched worker (only while eligible and seats remain)")
async def add_worker(batch_id: str, body: AddWorker, service: Service,
                     principal: Annotated[Principal, Depends(require_roles(*OFFICERS))]) -> dict[str, Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    with why_not_hidden_from(principal):
        batch = await service.batches.add_worker(batch_id, body.job_seeker_id)
    return shown_to(principal, batch_view(batch), batch, compounds)


@router.post("/batches/{batch_id}/boarding", tags=["batches"],
             summary="Re-check a worker at the door: boarded, or left off with the reasons")
async def board(batch_id: str, body: Board, service: Service,
                principal: Annotated[Principal, Depends(require_roles(*STAFF))]) -> dict[str, Any]:
    batch = await service.batches.batches.get(batch_id)
    ensure_own_enterprise(principal, batch.enterprise_id, f"batch {batch_id}")
    # a community officer checks its own residents at the door
    await ensure_resident(principal, service.grid, await service.projections.known_resident(body.resident_id),
                          body.resident_id)
    batch, worker = await service.batches.board(batch_id, body.resident_id)
    return {"batch_id": batch.batch_id, "resident_id": worker.resident_id, "boarded": worker.boarding == "boarded",
            "reasons": [] if is_liaison(principal) else worker.boarding_reasons, "checked_at": worker.checked_at.isoformat() if worker.checked_at else None,
            "seats_left": batch.seats_left}


@router.post("/batches/{batch_id}/dispatch", tags=["batches"],
             summary="The batch departs with its boarded workers (BatchDispatched)")
async def dispatch(batch_id: str, service: Service,
                   principal: Annotated[Principal, Depends(require_roles(*OFFICERS))],
                   body: Dispatch | None = None) -> dict[str, Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    batch = await service.batches.dispatch(batch_id, body.escort_staff_id if body else None)
    return shown_to(principal, batch_view(batch), batch, compounds)


@router.post("/batches/{batch_id}/arrival", tags=["batches"],
             summary="The batch arrived and was handed over to the employer (BatchArrived)")
async def arrival(batch_id: str, body: Arrival, service: Service,
                  principal: Annotated[Principal, Depends(require_roles(*OFFICERS))]) -> dict[str, Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    batch = await service.batches.arrive(batch_id, body.arrived_worker_count)
    return shown_to(principal, batch_view(batch), batch, compounds)


@router.post("/resumption-cases", status_code=201, tags=["resumption"],
             summary="Open an enterprise's resumption case with its dedicated officer")
async def open_case(body: OpenCase, request: Request, service: Service,
                    principal: Annotated[Principal, Depends(require_roles(*OFFICERS))],
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    ensure_own_enterprise(principal, body.enterprise_id, f"employer {body.enterprise_id}")

    async def action() -> tuple[int, object]:
        return 201, case_view(await service.resumption.open_case(body.enterprise_id, body.officer_id))

    return await idempotent(request, idempotency_key, f"POST /resumption-cases {principal.subject}",
                            body.model_dump(mode="json"), action)


@router.get("/resumption-cases/{case_id}", tags=["resumption"],
            summary="A case: problems (overdue flagged), actions, and the enterprise's labour demand")
async def get_case(case_id: str, service: Service,
                   principal: Annotated[Principal, Depends(require_roles(*STAFF))]) -> dict[str, Any]:
    case = await case_in_scope(service, principal, case_id)
    return case_view(case, await service.resumption.linked_demands(case.enterprise_id))


@router.get("/resumption-cases", tags=["resumption"], response_model=Page[dict[str, Any]], summary="Cases, a page at a time")
async def list_cases(service: Service, principal: Annotated[Principal, Depends(require_roles(*STAFF))],
                     status: Annotated[str | None, Query(pattern="^(open|resumed)$")] = None,
                     after: str | None = None, limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return Page(items=[])
    query = ({"status": status} if status else {}) | own
    found = await service.resumption.cases.repo.find(query, after=after, limit=limit + 1)
    return page_of(found, limit, lambda c: c.case_id, case_view)


@router.post("/resumption-cases/{case_id}/problems", status_code=201, tags=["resumption"],
             summary="Raise a problem (kind, description, deadline)")
async def raise_problem(case_id: str, body: RaiseProblem, request: Request, service: Service,
                        principal: Annotated[Principal, Depends(require_roles(*OFFICERS))],
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    await case_in_scope(service, principal, case_id)

    async def action() -> tuple[int, object]:
        problem = await service.resumption.raise_problem(case_id, body.kind, body.description, body.deadline)
        return 201, view(problem)

    return await idempotent(request, idempotency_key, f"POST /resumption-cases/{case_id}/problems {principal.subject}",
                            body.model_dump(mode="json"), action)


@router.post("/resumption-cases/{case_id}/problems/{issue_id}/actions", status_code=201, tags=["resumption"],
             summary="Record an action taken on an open problem")
async def record_action(case_id: str, issue_id: str, body: RecordAction, request: Request, service: Service,
                        principal: Annotated[Principal, Depends(require_roles(*OFFICERS))],
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    await case_in_scope(service, principal, case_id)

    async def action() -> tuple[int, object]:
        problem = await service.resumption.record_action(case_id, issue_id, body.description, principal.subject)
        return 201, view(problem)

    scope = f"POST /resumption-cases/{case_id}/problems/{issue_id}/actions {principal.subject}"
    return await idempotent(request, idempotency_key, scope, body.model_dump(mode="json"), action)


@router.post("/resumption-cases/{case_id}/problems/{issue_id}/resolve", tags=["resumption"],
             summary="Resolve a problem with its resolution")
async def resolve(case_id: str, issue_id: str, body: Resolve, service: Service,
                  principal: Annotated[Principal, Depends(require_roles(*OFFICERS))]) -> dict[str, Any]:
    await case_in_scope(service, principal, case_id)
    return view(await service.resumption.resolve(case_id, issue_id, body.resolution, principal.subject))


@router.post("/resumption-cases/{case_id}/resume", tags=["resumption"],
             summary="The enterprise is back at work (EnterpriseResumed); every problem must be resolved")
async def resume(case_id: str, body: Resume, service: Service,
                 principal: Annotated[Principal, Depends(require_roles(*OFFICERS))]) -> dict[str, Any]:
    await case_in_scope(service, principal, case_id)
    return case_view(await service.resumption.resume(case_id, body.workers_on_site))


@router.get("/figures", tags=["figures"], summary="Matched, dispatched per province, placed locally, resumed, problems")
async def figures(service: Service, _: Annotated[Principal, Depends(require_roles(*FIGURE_READERS))]) -> dict[str, Any]:
    return view(await service.figures.now())
