"""HTTP: placing orders, reading them, and each step of their lifecycle (one table)."""

# No ``from __future__ import annotations``: each step's handler is built in ``_add_step`` and
# FastAPI reads its annotations (the body model, the roles allowed) as the objects given there.

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from towngrid_kit.auth import Principal, Role, require_roles
from towngrid_kit.errors import Conflict, InvalidInput
from towngrid_kit.grid import ensure_compound, grid_filter
from towngrid_kit.http import After, Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.paging import Page, page_of
from towngrid_kit.problems import PROBLEM_JSON

from delivery.bootstrap import Services
from delivery.domain.merchant_view import MERCHANT_STATUSES, as_merchant_sees
from delivery.domain.order import Order, Proof, RequestedLine
from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FIELD, OrderTaker, Reader, STAFF
from delivery.entrypoints.schemas import (
    AssignBody,
    CancelBody,
    CollectBody,
    DeliverBody,
    FailBody,
    OrderLineIn,
    OrderView,
    PlaceOrderBody,
)
from delivery.entrypoints.scope import ensure_order, ensure_own_merchant, ensure_team
from delivery.service.orders import PlaceOrder

router = APIRouter(tags=["orders"])


def view(principal: Principal, order: Order) -> OrderView:
    """The order as the caller may see it: a merchant sees nothing that tells where it goes."""
    return OrderView.for_merchant(order) if principal.role == Role.MERCHANT else OrderView.of(order)


def _rejection_problem(order: Order, shown: OrderView, lines: list[OrderLineIn]) -> dict[str, Any]:
    """The 422 problem for a rejected order: the reason, and the fields (merchant or lines) at fault."""
    rejection = order.rejection or {}
    reason, detail = rejection.get("reason"), rejection.get("detail", "")
    wrong = {v["sku"] for v in rejection.get("price_violations", [])} | set(rejection.get("unknown_skus", []))
    if reason == "merchant_not_open":
        errors = [{"field": "body.merchant_id", "message": detail}]
    else:
        errors = [{"field": f"body.lines.{i}.sku", "message": detail} for i, x in enumerate(lines) if x.sku in wrong]
    return {"type": "about:blank", "title": "Order rejected", "status": 422, "detail": f"{reason}: {detail}",
            "errors": errors or [{"field": "body.lines", "message": detail}], "reason": reason,
            "price_violations": rejection.get("price_violations", []), "unknown_skus": rejection.get("unknown_skus", []),
            "order": shown.model_dump(mode="json")}


@router.post("/orders", status_code=201, response_model=OrderView,
             responses={422: {"description": "Bad input, or the order was rejected (recorded as OrderRejected)"}},
             summary="Place an order: staff proxy shopping (phone, WeChat, in person) or a resident's online order")
async def place_order(body: PlaceOrderBody, svc: Svc, principal: OrderTaker, once: OncePerKey) -> JSONResponse:
    ensure_own_merchant(principal, body.merchant_id)
    if principal.role != Role.MERCHANT and not principal.grid.whole_town:  # staff: their scope's households
        compound_id = await svc.orders.compound_of(body.household_id, body.compound_id)
        if compound_id is not None:  # none: the use case's 422
            await ensure_compound(principal, svc.grid, compound_id)

    issued: dict[str, str] = {}  # the handover code, kept out of the answer the idempotency record stores

    async def action() -> tuple[int, object]:
        order = await svc.orders.place(PlaceOrder(
            merchant_id=body.merchant_id, household_id=body.household_id, compound_id=body.compound_id,
            channel=body.channel, shopping_list=body.shopping_list,
            lines=[RequestedLine(sku=x.sku, quantity=x.quantity, unit_price_cents=x.unit_price_cents) for x in body.lines],
        ), principal.subject)
        if order.status == "rejected":
            return 422, _rejection_problem(order, view(principal, order), body.lines)
        shown = view(principal, order)
        if shown.handover_code:
            issued["code"] = shown.handover_code
        return 201, shown.model_copy(update={"handover_code": None}).model_dump(mode="json")

    response = await once(body, action)
    if response.status_code == 422:
        response.headers["content-type"] = PROBLEM_JSON
    if "code" in issued:  # this request placed it: the code, in this answer only (a replay has none)
        return JSONResponse(json.loads(response.body) | {"handover_code": issued["code"]}, status_code=201)
    return response


@router.get("/orders/{order_id}", response_model=OrderView, summary="An order and its steps")
async def get_order(order_id: str, svc: Svc, principal: Reader) -> OrderView:
    order = await svc.orders.get(order_id)
    await ensure_order(principal, svc.grid, order)
    return view(principal, order)


@router.get("/orders", response_model=Page[OrderView], summary="Orders, a page at a time")
async def list_orders(svc: Svc, principal: Reader, status: str | None = None, household_id: str | None = None,
                      merchant_id: str | None = None, team_id: str | None = None, checkpoint_id: str | None = None,
                      after: After = None, limit: Limit = 50) -> Page[OrderView]:
    wanted: Any = status
    if principal.role == Role.MERCHANT:  # a merchant sees the orders placed with its own shop only
        if checkpoint_id is not None:
            raise InvalidInput("a merchant does not see where orders go", field="query.checkpoint_id")
        if status is not None and as_merchant_sees(status) != status:
            raise InvalidInput(f"not a status a merchant sees: {status}", field="query.status")
        if status in MERCHANT_STATUSES:
            wanted = {"$in": MERCHANT_STATUSES[status]}
        if principal.organisation is None:
            return Page[OrderView](items=[])
        merchant_id = principal.organisation
    filters = {k: v for k, v in {"status": wanted, "household_id": household_id, "merchant_id": merchant_id,
                                  "team_id": team_id, "checkpoint_id": checkpoint_id}.items() if v is not None}
    if principal.role != Role.MERCHANT:
        filters |= await grid_filter(principal, svc.grid)
    found = await svc.orders.page(filters, after, limit + 1)
    return page_of(found, limit, lambda o: o.order_id, lambda o: view(principal, o))


# --- the lifecycle steps: POST /orders/{order_id}/<step> ---------------------------------------

Act = Callable[[Services, Principal, str, Any], Awaitable[Order]]
"""A step's use case: (services, caller, order id, body or None) → the order after the step."""


@dataclass(frozen=True)
class OrderStep:
    path: str
    name: str  # the handler's name, which makes the OpenAPI operation id
    roles: tuple[Role, ...]
    summary: str
    act: Act
    body: type[BaseModel] | None = None


async def _assign(svc: Services, principal: Principal, order_id: str, body: AssignBody) -> Order:
    team = await svc.teams.find(body.team_id)
    if team is not None:  # an unknown team is the use case's 404
        await ensure_team(principal, svc.grid, team)
    return await svc.orders.assign(order_id, body.team_id, body.courier_id, principal.subject)


STEPS = (
    OrderStep("accept", "accept_order", (*STAFF, Role.MERCHANT), "The merchant accepts the order",
              lambda svc, p, order_id, _: svc.orders.accept(order_id, p.subject)),
    OrderStep("assign", "assign_order", STAFF,
              "Assign the order to a service team and one of its members (within the team's capacity)",
              _assign, AssignBody),
    OrderStep("pick-up", "pick_up_order", FIELD, "The courier picked the order up at the merchant",
              lambda svc, p, order_id, _: svc.orders.pick_up(order_id, p.subject)),
    OrderStep("deliver", "deliver_order", FIELD,
              "Delivered to the door (quarantined households), shown by the household's handover code, or a "
              "photo or a signature",
              lambda svc, p, order_id, b: svc.orders.deliver(
                  order_id, p.subject, Proof(code=b.code, photo_ref=b.photo_ref, signature_ref=b.signature_ref)),
              DeliverBody),
    OrderStep("hand-to-checkpoint", "hand_to_checkpoint", FIELD, "Left at the compound's checkpoint for collection",
              lambda svc, p, order_id, _: svc.orders.hand_to_checkpoint(order_id, p.subject)),
    OrderStep("collect", "collect_order", FIELD,
              "The household collected the order at the checkpoint, showing its handover code",
              lambda svc, p, order_id, b: svc.orders.collect(order_id, p.subject, b.code), CollectBody),
    OrderStep("fail", "fail_order", FIELD, "The order failed",
              lambda svc, p, order_id, b: svc.orders.fail(order_id, b.reason, p.subject, b.note), FailBody),
    OrderStep("cancel", "cancel_order", (*STAFF, Role.MERCHANT), "Cancel the order (before it is picked up)",
              lambda svc, p, order_id, b: svc.orders.cancel(order_id, b.cancelled_by, b.reason, p.subject, b.note),
              CancelBody),
)


async def _order_in_scope(svc: Services, principal: Principal, order_id: str) -> None:
    """403 unless the caller may act on the order (404 if there is none)."""
    if principal.role != Role.MERCHANT and principal.grid.whole_town:
        return  # town-wide staff reach every order: no extra read
    await ensure_order(principal, svc.grid, await svc.orders.get(order_id))


def _add_step(step: OrderStep) -> None:
    """``POST /orders/{order_id}/<step.path>``: the caller's scope on the order, then the step."""
    Caller = Annotated[Principal, Depends(require_roles(*step.roles))]

    async def run(order_id: str, svc: Services, principal: Principal, body: BaseModel | None) -> OrderView:
        await _order_in_scope(svc, principal, order_id)
        try:
            return view(principal, await step.act(svc, principal, order_id, body))
        except Conflict as refused:
            if principal.role != Role.MERCHANT:
                raise
            # the state as the merchant sees it: "handed_to_checkpoint" or "collected" would tell
            status = as_merchant_sees((await svc.orders.get(order_id)).status)
            raise Conflict(f"order {order_id} is {status}: {step.path} is refused now") from refused

    if step.body is None:
        async def endpoint(order_id: str, svc: Svc, principal: Caller) -> OrderView:
            return await run(order_id, svc, principal, None)
    else:
        async def endpoint(order_id: str, body: step.body, svc: Svc,  # type: ignore[name-defined]
                           principal: Caller) -> OrderView:
            return await run(order_id, svc, principal, body)

    router.add_api_route(f"/orders/{{order_id}}/{step.path}", endpoint, methods=["POST"], name=step.name,
                         response_model=OrderView, summary=step.summary)


for _step in STEPS:
    _add_step(_step)
