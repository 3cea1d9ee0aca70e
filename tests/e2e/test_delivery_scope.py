"""Issue 8's scope part for delivery, on the real stack: every endpoint marked GRID or OWN in
``access_matrix.delivery.SCOPE`` is tried with real data inside the caller's scope (allowed) and
outside it (403; lists filtered). Two fresh communities with two compounds each come from the
registry's grid (delivery learns compound → community from ``registry.grid.v1``); a merchant's
token names its shop in its ``org`` claim."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import httpx

from access_matrix.delivery import SCOPE
from access_matrix.marks import GRID, OWN
from delivery_support import (
    PRICES,
    grid_known,
    household_in_registry,
    merchant_in,
    order_body,
    place_until,
    uid,
)
from e2e_support import System, eventually, produce_many
from grid_support import Community, ScopeChecks, fresh_client, new_communities
from towngrid_contracts.envelope import envelope_for
from towngrid_contracts.registry import VulnerableResidentEnrolled
from towngrid_kit.auth import Role

SCOPED = {
    "POST /relief-parcels", "GET /relief-recipients/{resident_id}", "GET /relief-parcels/{parcel_id}",
    "POST /relief-parcels/{parcel_id}/deliver", "GET /relief-ledger",
    "POST /merchants", "GET /merchants/{merchant_id}", "POST /merchants/{merchant_id}/price-lists",
    "GET /merchants/{merchant_id}/price-lists/{version}",
    "POST /orders", "GET /orders/{order_id}", "GET /orders", "POST /orders/{order_id}/accept",
    "POST /orders/{order_id}/assign", "POST /orders/{order_id}/pick-up", "POST /orders/{order_id}/deliver",
    "POST /orders/{order_id}/hand-to-checkpoint", "POST /orders/{order_id}/collect", "POST /orders/{order_id}/fail",
    "POST /orders/{order_id}/cancel",
    "POST /pickup-points/{checkpoint_id}/slots", "GET /pickup-points/{checkpoint_id}/slots",
    "GET /pickup-points/{checkpoint_id}/uncollected",
    "POST /teams", "GET /teams/{team_id}", "GET /teams/{team_id}/queue",
}


def test_the_scoped_operations_here_are_those_the_matrix_marks() -> None:
    assert SCOPED == {op for op, mark in SCOPE.items() if mark in (GRID, OWN)}


async def enrol(system: System, compound_id: str) -> tuple[str, str]:
    """A vulnerable resident of ``compound_id`` enrolled for relief parcels (as the registry would say)."""
    resident_id, household_id = uid("res"), uid("hh")
    data = VulnerableResidentEnrolled(resident_id=resident_id, household_id=household_id, compound_id=compound_id,
                                      category="elderly_living_alone", helper_id="stf_helper1", visit_every_days=2,
                                      relief_every_days=7, enrolled_at=datetime.now(UTC))
    env = envelope_for(data, aggregate_id=resident_id, aggregate_version=2)
    await produce_many(system.kafka, "registry.resident.v1", [(env.key, env.model_dump_json().encode())])
    return resident_id, household_id


async def test_every_scoped_delivery_endpoint_inside_and_outside_the_callers_scope(system: System) -> None:
    a, b = await new_communities(system)
    a1, a2 = a.compounds
    b1 = b.compounds[0]
    c = ScopeChecks()
    async with AsyncExitStack() as stack:
        def client(role: Role, scope: str = "town", organisation: str | None = None) -> httpx.AsyncClient:
            return fresh_client(system, "delivery", role, scope, uid("stf"), organisation)

        admin = await stack.enter_async_context(fresh_client(system, "delivery", Role.TOWN_ADMIN))
        officer_a = await stack.enter_async_context(client(Role.COMMUNITY_OFFICER, f"community:{a.community_id}"))
        officer_b = await stack.enter_async_context(client(Role.COMMUNITY_OFFICER, f"community:{b.community_id}"))
        vol_a1 = await stack.enter_async_context(client(Role.COMPOUND_VOLUNTEER, f"compound:{a1}"))
        vol_a2 = await stack.enter_async_context(client(Role.COMPOUND_VOLUNTEER, f"compound:{a2}"))
        vol_b1 = await stack.enter_async_context(client(Role.COMPOUND_VOLUNTEER, f"compound:{b1}"))
        await grid_known(officer_a, a1)
        await grid_known(officer_b, b1)

        shop_id = await merchant_in(system, admin, a.community_id)
        other_shop_id = await merchant_in(system, admin, b.community_id)
        shop = await stack.enter_async_context(client(Role.MERCHANT, organisation=shop_id))
        other_shop = await stack.enter_async_context(client(Role.MERCHANT, organisation=other_shop_id))

        await merchants(c, a, b, officer_a, officer_b, shop, other_shop, shop_id)
        await orders(system, c, a, b, admin, officer_a, officer_b, vol_a1, vol_a2, vol_b1, shop, other_shop, shop_id)
        await relief(system, c, admin, officer_a, officer_b, vol_a1, vol_a2, a1)

    assert c.wrong == []
    assert c.untried(SCOPED) == set()


async def merchants(c: ScopeChecks, a: Community, b: Community, officer_a: httpx.AsyncClient,
                    officer_b: httpx.AsyncClient, shop: httpx.AsyncClient, other_shop: httpx.AsyncClient,
                    shop_id: str) -> None:
    op = "POST /merchants"
    c.inside(op, await officer_a.post("/merchants", json={"name": "甲店", "kind": "shop", "community_id": a.community_id}), 201)
    c.outside(op, await officer_a.post("/merchants", json={"name": "乙店", "kind": "shop", "community_id": b.community_id}))
    c.outside(op, await officer_a.post("/merchants", json={"name": "无社区", "kind": "shop"}))

    await c.reads("GET /merchants/{merchant_id}", f"/merchants/{shop_id}", inside=[shop], outside=[other_shop])
    await c.writes("POST /merchants/{merchant_id}/price-lists", f"/merchants/{shop_id}/price-lists", {"items": PRICES},
                   outside=[other_shop, officer_b], inside=[shop, officer_a], expected=201)
    await c.reads("GET /merchants/{merchant_id}/price-lists/{version}", f"/merchants/{shop_id}/price-lists/1",
                  inside=[shop], outside=[other_shop])


async def orders(system: System, c: ScopeChecks, a: Community, b: Community, admin: httpx.AsyncClient,
                 officer_a: httpx.AsyncClient, officer_b: httpx.AsyncClient, vol_a1: httpx.AsyncClient,
                 vol_a2: httpx.AsyncClient, vol_b1: httpx.AsyncClient, shop: httpx.AsyncClient,
                 other_shop: httpx.AsyncClient, shop_id: str) -> None:
    a1, a2 = a.compounds

    codes: dict[str, dict[str, str]] = {}  # order id → the body with its household's handover code

    async def placed(compound: str) -> str:
        made = await admin.post("/orders", json=order_body(shop_id, compound_id=compound))
        assert made.status_code == 201, made.text
        codes[made.json()["order_id"]] = {"code": made.json()["handover_code"]}
        return made.json()["order_id"]

    op = "POST /orders"
    for taker in (officer_a, vol_a1):
        c.inside(op, await taker.post("/orders", json=order_body(shop_id, compound_id=a1)), 201)
    c.inside(op, await shop.post("/orders", json=order_body(shop_id, compound_id=a1, channel="online")), 201)
    for taker in (officer_b, vol_a2):
        c.outside(op, await taker.post("/orders", json=order_body(shop_id, compound_id=a1)))
    c.outside(op, await other_shop.post("/orders", json=order_body(shop_id, compound_id=a1, channel="online")))

    oid = await placed(a1)
    await c.reads("GET /orders/{order_id}", f"/orders/{oid}", inside=[officer_a, vol_a1, shop],
                  outside=[officer_b, vol_a2, other_shop])
    await c.lists("GET /orders", "/orders", "order_id", oid, shown_to=[officer_a, vol_a1, shop],
                  hidden_from=[officer_b, vol_a2, other_shop], params={"merchant_id": shop_id, "limit": 200})
    seen_by_a = (await officer_a.get("/orders", params={"limit": 200})).json()["items"]
    assert {o["compound_id"] for o in seen_by_a} <= set(a.compounds)

    await c.writes("POST /orders/{order_id}/accept", f"/orders/{oid}/accept", outside=[other_shop, officer_b],
                   inside=[shop])

    op = "POST /teams"
    team_a = c.inside(op, await officer_a.post("/teams", json={"community_id": a.community_id, "capacity": 10,
                                                               "members": ["stf_c1"]}), 201).json()["team_id"]
    c.outside(op, await officer_a.post("/teams", json={"community_id": b.community_id, "capacity": 10,
                                                       "members": ["stf_c1"]}))
    team_b = (await officer_b.post("/teams", json={"community_id": b.community_id, "capacity": 10,
                                                   "members": ["stf_c1"]})).json()["team_id"]

    await c.reads("GET /teams/{team_id}", f"/teams/{team_a}", inside=[officer_a, vol_a1, vol_a2],
                  outside=[officer_b, vol_b1])

    op = "POST /orders/{order_id}/assign"
    c.outside(op, await officer_b.post(f"/orders/{oid}/assign", json={"team_id": team_b, "courier_id": "stf_c1"}))
    c.outside(op, await officer_a.post(f"/orders/{oid}/assign", json={"team_id": team_b, "courier_id": "stf_c1"}))
    c.inside(op, await officer_a.post(f"/orders/{oid}/assign", json={"team_id": team_a, "courier_id": "stf_c1"}))

    op = "GET /teams/{team_id}/queue"
    await c.lists(op, f"/teams/{team_a}/queue", "order_id", oid, shown_to=[vol_a1], hidden_from=[vol_a2])
    c.outside(op, await officer_b.get(f"/teams/{team_a}/queue"))

    await c.writes("POST /orders/{order_id}/pick-up", f"/orders/{oid}/pick-up", outside=[vol_a2, officer_b],
                   inside=[vol_a1])

    op = "POST /pickup-points/{checkpoint_id}/slots"
    now = datetime.now(UTC)
    slot = {"from": (now - timedelta(minutes=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat(),
            "capacity": 5}
    c.outside(op, await officer_a.post(f"/pickup-points/CP-{b.compounds[0]}/slots", json=slot))
    await c.writes(op, f"/pickup-points/CP-{a1}/slots", slot, outside=[officer_b], inside=[officer_a], expected=201)

    handed = await c.writes("POST /orders/{order_id}/hand-to-checkpoint", f"/orders/{oid}/hand-to-checkpoint",
                            outside=[vol_a2], inside=[vol_a1])
    assert handed.json()["pickup"]["slot_id"], "booked into the slot the community's officer opened"

    await c.reads("GET /pickup-points/{checkpoint_id}/slots", f"/pickup-points/CP-{a1}/slots", inside=[vol_a1],
                  outside=[vol_a2, officer_b])
    await c.reads("GET /pickup-points/{checkpoint_id}/uncollected", f"/pickup-points/CP-{a1}/uncollected",
                  inside=[vol_a1], outside=[vol_a2, officer_b])
    await c.writes("POST /orders/{order_id}/collect", f"/orders/{oid}/collect", codes[oid], outside=[vol_a2],
                   inside=[vol_a1])

    failing = await placed(a1)
    assert (await admin.post(f"/orders/{failing}/accept")).status_code == 200
    await c.writes("POST /orders/{order_id}/fail", f"/orders/{failing}/fail", {"reason": "merchant_unable"},
                   outside=[vol_a2, officer_b], inside=[vol_a1])

    cancelling = await placed(a1)
    await c.writes("POST /orders/{order_id}/cancel", f"/orders/{cancelling}/cancel",
                   {"cancelled_by": "merchant", "reason": "merchant_out_of_stock"}, outside=[other_shop, officer_b],
                   inside=[shop])

    # a quarantined household of compound a2: its order goes to the door
    _, household, _ = await household_in_registry(system, a2, quarantine=True)
    door_order = await place_until(admin, order_body(shop_id, household, compound_id=None), "door")
    door, door_code = door_order["order_id"], {"code": door_order["handover_code"]}
    for step, body in [("accept", None), ("assign", {"team_id": team_a, "courier_id": "stf_c1"}), ("pick-up", None)]:
        assert (await admin.post(f"/orders/{door}/{step}", json=body)).status_code == 200
    await c.writes("POST /orders/{order_id}/deliver", f"/orders/{door}/deliver", door_code,
                   outside=[vol_a1, officer_b], inside=[vol_a2])


async def relief(system: System, c: ScopeChecks, admin: httpx.AsyncClient, officer_a: httpx.AsyncClient,
                 officer_b: httpx.AsyncClient, vol_a1: httpx.AsyncClient, vol_a2: httpx.AsyncClient, a1: str) -> None:
    resident_id, household_id = await enrol(system, a1)

    async def known() -> bool:
        return (await admin.get(f"/relief-recipients/{resident_id}")).status_code == 200

    await eventually(known, timeout=60)
    await c.reads("GET /relief-recipients/{resident_id}", f"/relief-recipients/{resident_id}",
                  inside=[officer_a, vol_a1], outside=[officer_b, vol_a2])

    item = f"rice_{uid('x')[-8:]}"
    assert (await admin.post("/relief-stock/receipts", json={"items": {item: 5}})).status_code == 201
    parcel_id = (await c.writes("POST /relief-parcels", "/relief-parcels",
                                {"resident_id": resident_id, "contents": {item: 1}}, outside=[officer_b],
                                inside=[officer_a], expected=201)).json()["parcel_id"]
    await c.reads("GET /relief-parcels/{parcel_id}", f"/relief-parcels/{parcel_id}", inside=[vol_a1],
                  outside=[vol_a2, officer_b])
    await c.writes("POST /relief-parcels/{parcel_id}/deliver", f"/relief-parcels/{parcel_id}/deliver",
                   outside=[vol_a2], inside=[vol_a1])
    await c.lists("GET /relief-ledger", "/relief-ledger", "parcel_id", parcel_id, shown_to=[officer_a, vol_a1],
                  hidden_from=[officer_b, vol_a2], params={"household_id": household_id})
