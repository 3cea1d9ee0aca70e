"""Labor's routes for dispatch batches: planned for a demand elsewhere, workers added while
eligible, re-checked at the door, departed and arrived."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.http import Limit
from towngrid_kit.auth import Principal
from labor.bootstrap import Labor
from labor.domain.batch import Batch
from labor.entrypoints.schemas import (
    AddWorker,
    Arrival,
    Board,
    Dispatch,
    ScheduleBatch,
    view,
)
from towngrid_kit.paging import Page, page_of
from towngrid_kit.grid import compounds_in_scope
from labor.entrypoints.deps import Service
from labor.entrypoints.roles import Officer, Staff
from labor.entrypoints.scope import (
    ensure_own_enterprise,
    ensure_resident,
    enterprise_filter,
    is_liaison,
    why_not_hidden_from,
    workers_shown_to,
)
from towngrid_kit.ids import utcnow


router = APIRouter()


def batch_view(b: Batch) -> dict[str, Any]:
    return view(b, seats_left=b.seats_left, boarded=[w.resident_id for w in b.boarded],
                flagged=[w.resident_id for w in b.workers if not w.eligible])



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



@router.post("/batches", status_code=201, tags=["batches"], summary="Plan a dispatch batch for a demand elsewhere")
async def schedule_batch(body: ScheduleBatch, service: Service, once: OncePerKey, principal: Officer) -> JSONResponse:
    if (demand := await service.batches.demand_if_any(body.demand_id)) is not None:  # unknown: the use case's 422
        ensure_own_enterprise(principal, demand.enterprise_id, f"demand {body.demand_id}")
    return await once.created(body, service.batches.schedule(body.demand_id, body.departure_at, body.vehicle_pass_id,
                                                             body.seats), batch_view)


@router.get("/batches/{batch_id}", tags=["batches"],
            summary="A batch: its workers, flags and boarding; for an open batch also each worker's eligibility now")
async def get_batch(batch_id: str, service: Service, principal: Staff) -> dict[str, Any]:
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
async def list_batches(service: Service, principal: Staff,
                       status: Annotated[str | None, Query(pattern="^(open|departed|arrived)$")] = None,
                       flagged: bool | None = None, after: str | None = None,
                       limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return Page(items=[])
    query: dict[str, Any] = {k: v for k, v in (("status", status), ("flagged", flagged)) if v is not None} | own
    compounds = await compounds_in_scope(principal, service.grid)
    if compounds is not None:  # the batches carrying a worker who lives in the caller's scope
        query["worker_compounds"] = {"$in": compounds}
    found = await service.batches.page(query, after, limit + 1)
    return page_of(found, limit, lambda b: b.batch_id, lambda b: shown_to(principal, batch_view(b), b, compounds))


@router.post("/batches/{batch_id}/workers", tags=["batches"],
             summary="Add a matched worker (only while eligible and seats remain)")
async def add_worker(batch_id: str, body: AddWorker, service: Service, principal: Officer) -> dict[str, Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    with why_not_hidden_from(principal):
        batch = await service.batches.add_worker(batch_id, body.job_seeker_id)
    return shown_to(principal, batch_view(batch), batch, compounds)


@router.post("/batches/{batch_id}/boarding", tags=["batches"],
             summary="Re-check a worker at the door: boarded, or left off with the reasons")
async def board(batch_id: str, body: Board, service: Service, principal: Staff) -> dict[str, Any]:
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
async def dispatch(batch_id: str, service: Service, principal: Officer, body: Dispatch | None = None) -> dict[str,
                   Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    batch = await service.batches.dispatch(batch_id, body.escort_staff_id if body else None)
    return shown_to(principal, batch_view(batch), batch, compounds)


@router.post("/batches/{batch_id}/arrival", tags=["batches"],
             summary="The batch arrived and was handed over to the employer (BatchArrived)")
async def arrival(batch_id: str, body: Arrival, service: Service, principal: Officer) -> dict[str, Any]:
    _, compounds = await batch_in_scope(service, principal, batch_id)
    batch = await service.batches.arrive(batch_id, body.arrived_worker_count)
    return shown_to(principal, batch_view(batch), batch, compounds)
