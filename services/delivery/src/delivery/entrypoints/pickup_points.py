"""HTTP: the pickup points (the checkpoints): collection slots and uncollected parcels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from towngrid_kit.errors import InvalidInput
from towngrid_kit.grid import ensure_place
from towngrid_kit.http import After, Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.paging import Page, page_of

from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FieldWorker, Staff
from delivery.entrypoints.schemas import CreateSlot, OrderView, SlotView

router = APIRouter(tags=["pickup points"])


@router.post("/pickup-points/{checkpoint_id}/slots", status_code=201, response_model=SlotView,
             summary="Open a collection slot at a checkpoint, with its capacity")
async def create_slot(checkpoint_id: Annotated[str, Path(min_length=1, max_length=80)], body: CreateSlot, svc: Svc,
                      principal: Staff, once: OncePerKey) -> JSONResponse:
    if body.until <= body.from_:
        raise InvalidInput("until must be after from", field="body.until")
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))
    return await once.created(body, svc.pickup.open_slot(checkpoint_id, body.from_, body.until, body.capacity),
                              lambda slot: SlotView(**slot))  # SlotView answers "from" by its alias


@router.get("/pickup-points/{checkpoint_id}/slots", response_model=Page[SlotView],
            summary="The checkpoint's collection slots not yet over, with how many parcels each holds")
async def list_slots(checkpoint_id: str, svc: Svc, principal: FieldWorker, after: After = None,
                     limit: Limit = 50) -> Page[SlotView]:
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))
    found = await svc.pickup.slots(checkpoint_id, after, limit + 1)
    return page_of(found, limit, lambda s: s["slot_id"], lambda s: SlotView(**s))


@router.get("/pickup-points/{checkpoint_id}/uncollected", response_model=Page[OrderView],
            summary="Parcels at the checkpoint whose collection time has passed (flagged uncollected)")
async def uncollected(checkpoint_id: str, svc: Svc, principal: FieldWorker, after: After = None,
                      limit: Limit = 50) -> Page[OrderView]:
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))
    found = await svc.orders.uncollected(checkpoint_id, after, limit + 1)
    return page_of(found, limit, lambda o: o.order_id, OrderView.of)
