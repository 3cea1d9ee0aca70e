"""The delivery api: merchants and price lists, orders and their lifecycle, service teams."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import IdempotencyKey
from towngrid_kit.http import After, Limit
from towngrid_kit.auth import Principal, Role, ensure_in_scope, ensure_own_organisation, require_roles
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from towngrid_kit.http import ApiResources, create_app, serve
from towngrid_kit.problems import PROBLEM_JSON
from towngrid_kit.settings import load_settings

from delivery.bootstrap import Services, build_services
from delivery.config import DeliverySettings
from delivery.domain.merchant import Product
from delivery.domain.order import Order, RequestedLine
from delivery.entrypoints.relief_http import router as relief_router
from delivery.entrypoints.scope import ensure_compound, ensure_order, ensure_place, ensure_team, grid_filter
from delivery.entrypoints.schemas import (
    AssignBody,
    CancelBody,
    CreateSlot,
    CreateTeam,
    FailBody,
    MerchantPage,
    MerchantView,
    OrderPage,
    OrderView,
    PlaceOrderBody,
    PriceListView,
    PublishPriceList,
    RegisterMerchant,
    SlotPage,
    SlotView,
    TeamView,
)
from delivery.service.merchants import new_id
from delivery.service.orders import PlaceOrder

STAFF = (Role.TOWN_ADMIN, Role.COMMUNITY_OFFICER)
FIELD = (*STAFF, Role.COMPOUND_VOLUNTEER)
ORDER_TAKERS = (*FIELD, Role.MERCHANT)  # staff proxy shopping; a merchant or platform taking an online order
READERS = (*FIELD, Role.MERCHANT)

router = APIRouter()


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]


def _own_merchant(principal: Principal, merchant_id: str) -> None:
    """A merchant's token (its ``org`` claim names its merchant id) acts for that merchant only."""
    if principal.role == Role.MERCHANT:
        ensure_own_organisation(principal, merchant_id, f"merchant {merchant_id}")


async def _order_in_scope(svc: Services, principal: Principal, order_id: str) -> None:
    """403 unless the caller may act on the order (404 if there is none)."""
    if principal.role != Role.MERCHANT and principal.grid.whole_town:
        return  # town-wide staff reach every order: no extra read
    await ensure_order(principal, svc.grid, await svc.orders.get(order_id))


# --- merchants and price lists ---------------------------------------------------------------

@router.post("/merchants", status_code=201, response_model=MerchantView, tags=["merchants"],
             summary="Register a merchant (it may sell once it holds a business-reopening permit)")
async def register_merchant(body: RegisterMerchant, request: Request, svc: Svc,
                            principal: Annotated[Principal, Depends(require_roles(*STAFF))],
                            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    ensure_in_scope(principal, community=body.community_id)  # a community officer registers its community's shops

    async def action() -> tuple[int, object]:
        m = await svc.merchants.register(body.merchant_id, body.name, body.kind, body.community_id)
        allowed = await svc.merchants.allowed_to_sell(m.merchant_id)
        return 201, MerchantView.of(m, allowed, datetime.now(UTC)).model_dump(mode="json")

    scope = f"POST /merchants {principal.subject}"
    return await request.app.state.idempotency.run(idempotency_key, scope, body.model_dump(mode="json"), action)


@router.get("/merchants/{merchant_id}", response_model=MerchantView, tags=["merchants"],
            summary="A merchant, whether it may sell now, and its price list in force")
async def get_merchant(merchant_id: str, svc: Svc,
                       principal: Annotated[Principal, Depends(require_roles(*READERS))]) -> MerchantView:
    m = await svc.merchants.get(merchant_id)
    _own_merchant(principal, merchant_id)
    return MerchantView.of(m, await svc.merchants.allowed_to_sell(merchant_id), datetime.now(UTC))


@router.get("/merchants", response_model=MerchantPage, tags=["merchants"], summary="Merchants, a page at a time")
async def list_merchants(svc: Svc, _: Annotated[Principal, Depends(require_roles(*FIELD))],
                         after: After = None, limit: Limit = 50) -> MerchantPage:
    found = await svc.merchants.page(after, limit + 1)
    now = datetime.now(UTC)
    items = [MerchantView.of(m, await svc.merchants.allowed_to_sell(m.merchant_id, now), now) for m in found[:limit]]
    return MerchantPage(items=items, next_after=items[-1].merchant_id if len(found) > limit else None)


@router.post("/merchants/{merchant_id}/price-lists", status_code=201, response_model=PriceListView,
             tags=["merchants"], summary="Publish a new version of the merchant's in-store price list")
async def publish_price_list(merchant_id: str, body: PublishPriceList, request: Request, svc: Svc,
                             principal: Annotated[Principal, Depends(require_roles(*STAFF, Role.MERCHANT))],
                             idempotency_key: IdempotencyKey = None) -> JSONResponse:
    merchant = await svc.merchants.get(merchant_id)
    _own_merchant(principal, merchant_id)
    if principal.role != Role.MERCHANT:  # staff: shops of their community
        ensure_in_scope(principal, community=merchant.community_id)

    async def action() -> tuple[int, object]:
        products = [Product(sku=i.sku, name=i.name, unit=i.unit, price_cents=i.price_cents) for i in body.items]
        _, listed = await svc.merchants.publish_price_list(merchant_id, products, body.effective_from)
        return 201, PriceListView.of(listed).model_dump(mode="json")

    scope = f"POST /merchants/{merchant_id}/price-lists {principal.subject}"
    return await request.app.state.idempotency.run(idempotency_key, scope, body.model_dump(mode="json"), action)


@router.get("/merchants/{merchant_id}/price-lists/{version}", response_model=PriceListView, tags=["merchants"],
            summary="One version of the merchant's price list")
async def get_price_list(merchant_id: str, version: int, svc: Svc,
                         principal: Annotated[Principal, Depends(require_roles(*READERS))]) -> PriceListView:
    m = await svc.merchants.get(merchant_id)
    _own_merchant(principal, merchant_id)
    if not 1 <= version <= len(m.price_lists):
        raise NotFound(f"merchant {merchant_id} has no price list version {version}")
    return PriceListView.of(m.price_lists[version - 1])


# --- orders ----------------------------------------------------------------------------------

def _rejection_problem(order: Order, lines: list[Any]) -> dict[str, Any]:
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
            "order": OrderView.of(order).model_dump(mode="json")}


@router.post("/orders", status_code=201, response_model=OrderView, tags=["orders"],
             responses={422: {"description": "Bad input, or the order was rejected (recorded as OrderRejected)"}},
             summary="Place an order: staff proxy shopping (phone, WeChat, in person) or a resident's online order")
async def place_order(body: PlaceOrderBody, request: Request, svc: Svc,
                      principal: Annotated[Principal, Depends(require_roles(*ORDER_TAKERS))],
                      idempotency_key: IdempotencyKey = None) -> JSONResponse:
    _own_merchant(principal, body.merchant_id)
    if principal.role != Role.MERCHANT and not principal.grid.whole_town:  # staff: their scope's households
        compound_id = await svc.orders.compound_of(body.household_id, body.compound_id)
        if compound_id is not None:  # none: the use case's 422
            await ensure_compound(principal, svc.grid, compound_id)

    async def action() -> tuple[int, object]:
        order = await svc.orders.place(PlaceOrder(
            merchant_id=body.merchant_id, household_id=body.household_id, compound_id=body.compound_id,
            channel=body.channel, shopping_list=body.shopping_list,
            lines=[RequestedLine(sku=x.sku, quantity=x.quantity, unit_price_cents=x.unit_price_cents) for x in body.lines],
        ), principal.subject)
        if order.status == "rejected":
            return 422, _rejection_problem(order, body.lines)
        return 201, OrderView.of(order).model_dump(mode="json")

    scope = f"POST /orders {principal.subject}"
    response = await request.app.state.idempotency.run(idempotency_key, scope, body.model_dump(mode="json"), action)
    if response.status_code == 422:
        response.headers["content-type"] = PROBLEM_JSON
    return response


@router.get("/orders/{order_id}", response_model=OrderView, tags=["orders"], summary="An order and its steps")
async def get_order(order_id: str, svc: Svc,
                    principal: Annotated[Principal, Depends(require_roles(*READERS))]) -> OrderView:
    order = await svc.orders.get(order_id)
    await ensure_order(principal, svc.grid, order)
    return OrderView.of(order)


@router.get("/orders", response_model=OrderPage, tags=["orders"], summary="Orders, a page at a time")
async def list_orders(svc: Svc, principal: Annotated[Principal, Depends(require_roles(*READERS))],
                      status: str | None = None, household_id: str | None = None, merchant_id: str | None = None,
                      team_id: str | None = None, checkpoint_id: str | None = None,
                      after: After = None, limit: Limit = 50) -> OrderPage:
    if principal.role == Role.MERCHANT:  # a merchant sees the orders placed with its own shop only
        if principal.organisation is None:
            return OrderPage(items=[], next_after=None)
        merchant_id = principal.organisation
    filters = {k: v for k, v in {"status": status, "household_id": household_id, "merchant_id": merchant_id,
                                  "team_id": team_id, "checkpoint_id": checkpoint_id}.items() if v is not None}
    if principal.role != Role.MERCHANT:
        filters |= await grid_filter(principal, svc.grid)
    found = await svc.orders.page(filters, after, limit + 1)
    items = [OrderView.of(o) for o in found[:limit]]
    return OrderPage(items=items, next_after=items[-1].order_id if len(found) > limit else None)


@router.post("/orders/{order_id}/accept", response_model=OrderView, tags=["orders"],
             summary="The merchant accepts the order")
async def accept_order(order_id: str, svc: Svc,
                       principal: Annotated[Principal, Depends(require_roles(*STAFF, Role.MERCHANT))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.accept(order_id, principal.subject))


@router.post("/orders/{order_id}/assign", response_model=OrderView, tags=["orders"],
             summary="Assign the order to a service team and one of its members (within the team's capacity)")
async def assign_order(order_id: str, body: AssignBody, svc: Svc,
                       principal: Annotated[Principal, Depends(require_roles(*STAFF))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    team = await svc.orders.teams.get(body.team_id)
    if team is not None:  # an unknown team is the use case's 404
        await ensure_team(principal, svc.grid, team)
    return OrderView.of(await svc.orders.assign(order_id, body.team_id, body.courier_id, principal.subject))


@router.post("/orders/{order_id}/pick-up", response_model=OrderView, tags=["orders"],
             summary="The courier picked the order up at the merchant")
async def pick_up_order(order_id: str, svc: Svc,
                        principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.pick_up(order_id, principal.subject))


@router.post("/orders/{order_id}/deliver", response_model=OrderView, tags=["orders"],
             summary="Delivered to the door (quarantined households)")
async def deliver_order(order_id: str, svc: Svc,
                        principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.deliver(order_id, principal.subject))


@router.post("/orders/{order_id}/hand-to-checkpoint", response_model=OrderView, tags=["orders"],
             summary="Left at the compound's checkpoint for collection")
async def hand_to_checkpoint(order_id: str, svc: Svc,
                             principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.hand_to_checkpoint(order_id, principal.subject))


@router.post("/orders/{order_id}/collect", response_model=OrderView, tags=["orders"],
             summary="The household collected the order at the checkpoint")
async def collect_order(order_id: str, svc: Svc,
                        principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.collect(order_id, principal.subject))


@router.post("/orders/{order_id}/fail", response_model=OrderView, tags=["orders"], summary="The order failed")
async def fail_order(order_id: str, body: FailBody, svc: Svc,
                     principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.fail(order_id, body.reason, principal.subject, body.note))


@router.post("/orders/{order_id}/cancel", response_model=OrderView, tags=["orders"],
             summary="Cancel the order (before it is picked up)")
async def cancel_order(order_id: str, body: CancelBody, svc: Svc,
                       principal: Annotated[Principal, Depends(require_roles(*STAFF, Role.MERCHANT))]) -> OrderView:
    await _order_in_scope(svc, principal, order_id)
    return OrderView.of(await svc.orders.cancel(order_id, body.cancelled_by, body.reason, principal.subject, body.note))


# --- pickup points (the checkpoints) ----------------------------------------------------------

@router.post("/pickup-points/{checkpoint_id}/slots", status_code=201, response_model=SlotView, tags=["pickup points"],
             summary="Open a collection slot at a checkpoint, with its capacity")
async def create_slot(checkpoint_id: Annotated[str, Path(min_length=1, max_length=80)], body: CreateSlot,
                      request: Request, svc: Svc, principal: Annotated[Principal, Depends(require_roles(*STAFF))],
                      idempotency_key: IdempotencyKey = None) -> JSONResponse:
    if body.until <= body.from_:
        raise InvalidInput("until must be after from", field="body.until")
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))

    async def action() -> tuple[int, object]:
        slot = {"slot_id": new_id("slot"), "checkpoint_id": checkpoint_id, "from": body.from_, "until": body.until,
                "capacity": body.capacity}
        await svc.orders.slots.create(slot)
        return 201, SlotView(**slot, booked=0).model_dump(mode="json", by_alias=True)

    scope = f"POST /pickup-points/{checkpoint_id}/slots {principal.subject}"
    return await request.app.state.idempotency.run(idempotency_key, scope, body.model_dump(mode="json"), action)


@router.get("/pickup-points/{checkpoint_id}/slots", response_model=SlotPage, tags=["pickup points"],
            summary="The checkpoint's collection slots not yet over, with how many parcels each holds")
async def list_slots(checkpoint_id: str, svc: Svc, principal: Annotated[Principal, Depends(require_roles(*FIELD))],
                     after: After = None, limit: Limit = 50) -> SlotPage:
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))
    found = await svc.orders.slots.page(checkpoint_id, datetime.now(UTC), after, limit + 1)
    items = [SlotView(**s) for s in found[:limit]]
    return SlotPage(items=items, next_after=items[-1].slot_id if len(found) > limit else None)


@router.get("/pickup-points/{checkpoint_id}/uncollected", response_model=OrderPage, tags=["pickup points"],
            summary="Parcels at the checkpoint whose collection time has passed (flagged uncollected)")
async def uncollected(checkpoint_id: str, svc: Svc, principal: Annotated[Principal, Depends(require_roles(*FIELD))],
                      after: After = None, limit: Limit = 50) -> OrderPage:
    ensure_place(principal, await svc.grid.checkpoint(checkpoint_id))
    found = await svc.orders.uncollected(checkpoint_id, after, limit + 1)
    items = [OrderView.of(o) for o in found[:limit]]
    return OrderPage(items=items, next_after=items[-1].order_id if len(found) > limit else None)


# --- service teams ---------------------------------------------------------------------------

@router.post("/teams", status_code=201, response_model=TeamView, tags=["teams"],
             summary="Form a service team for a community, with its capacity")
async def create_team(body: CreateTeam, request: Request, svc: Svc,
                      principal: Annotated[Principal, Depends(require_roles(*STAFF))],
                      idempotency_key: IdempotencyKey = None) -> JSONResponse:
    ensure_in_scope(principal, community=body.community_id)

    async def action() -> tuple[int, object]:
        team = {"team_id": body.team_id or new_id("team"), "community_id": body.community_id,
                "capacity": body.capacity, "members": list(dict.fromkeys(body.members))}
        if not await svc.orders.teams.create(team):
            raise Conflict(f"team {team['team_id']} already exists")
        return 201, TeamView(**team, in_hand=0).model_dump(mode="json")

    scope = f"POST /teams {principal.subject}"
    return await request.app.state.idempotency.run(idempotency_key, scope, body.model_dump(mode="json"), action)


@router.get("/teams/{team_id}", response_model=TeamView, tags=["teams"], summary="A team and its load")
async def get_team(team_id: str, svc: Svc,
                   principal: Annotated[Principal, Depends(require_roles(*FIELD))]) -> TeamView:
    team = await svc.orders.teams.get(team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    await ensure_team(principal, svc.grid, team)
    return TeamView(**team, in_hand=await svc.orders.teams.load(team_id))


@router.get("/teams/{team_id}/queue", response_model=OrderPage, tags=["teams"],
            summary="The team's queue: its orders not yet delivered or handed over, oldest first")
async def team_queue(team_id: str, svc: Svc, principal: Annotated[Principal, Depends(require_roles(*FIELD))],
                     after: After = None, limit: Limit = 50) -> OrderPage:
    team = await svc.orders.teams.get(team_id)
    if team is None:
        raise NotFound(f"no team {team_id}")
    await ensure_team(principal, svc.grid, team)  # a compound volunteer sees the orders of their compound only
    filters = {"team_id": team_id, "status": {"$in": ["assigned", "picked_up"]}} | await grid_filter(principal, svc.grid)
    found = await svc.orders.page(filters, after, limit + 1)
    items = [OrderView.of(o) for o in found[:limit]]
    return OrderPage(items=items, next_after=items[-1].order_id if len(found) > limit else None)


def create_delivery_app(settings: DeliverySettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.services = await build_services(resources.db, settings)

    return create_app(service="delivery", settings=settings, routers=[router, relief_router], setup=setup,
                      description="Merchants and in-store price lists, proxy shopping and online orders to the door "
                                  "or the checkpoint, service teams, pickup slots, relief parcels.")


def main() -> None:
    settings = load_settings(DeliverySettings)
    serve(create_delivery_app(settings), settings)
