"""Delivery orders on the real stack: destination from the registry's quarantine events, the
lifecycle with who/when and refused transitions, team capacity and queues, bad input."""

from __future__ import annotations

import asyncio

import pytest

from delivery_support import ORDER_TOPIC, household_in_registry, open_merchant, order_body, place_until, uid
from e2e_support import System, eventually, events_with, read_topic
from towngrid_kit.auth import Role


async def test_quarantined_household_gets_door_others_their_checkpoint(system: System) -> None:
    compound = f"C07-{uid('x')[-6:]}"
    resident_id, household_id, quarantine_id = await household_in_registry(system, compound, quarantine=True)
    _, free_household, _ = await household_in_registry(system, compound, quarantine=False)
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        # no compound_id given: delivery knows the household's compound from the registry's events
        door = await place_until(delivery, order_body(merchant_id, household_id, compound_id=None), "door")
        assert (door["compound_id"], door["checkpoint_id"]) == (compound, None)
        pickup = await place_until(delivery, order_body(merchant_id, free_household, compound_id=None), "checkpoint")
        assert (pickup["compound_id"], pickup["checkpoint_id"]) == (compound, f"CP-{compound}")

        async with system.client("registry") as registry:
            ended = await registry.post(f"/residents/{resident_id}/quarantines/{quarantine_id}/end",
                                        json={"outcome": "released", "reason_code": "period_completed"})
            assert ended.status_code == 200, ended.text
        released = await place_until(delivery, order_body(merchant_id, household_id), "checkpoint")
        assert released["checkpoint_id"] == f"CP-{compound}"

    records = await read_topic(system.kafka, ORDER_TOPIC,
                               until=lambda rs: bool(events_with(rs, aggregate_id=door["order_id"])))
    (placed,) = events_with(records, aggregate_id=door["order_id"])
    assert placed["event_type"] == "delivery.order.placed"
    assert (placed["data"]["destination"], placed["data"]["household_id"]) == ("door", household_id)


async def test_unknown_household_needs_a_compound(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        household = uid("hh")
        missing = await delivery.post("/orders", json=order_body(merchant_id, household, compound_id=None))
        assert missing.status_code == 422 and "body.compound_id" in [e["field"] for e in missing.json()["errors"]]
        assert (await delivery.get("/orders", params={"household_id": household})).json()["items"] == []


async def make_team(delivery, capacity: int = 5, members: list[str] | None = None) -> dict:
    created = await delivery.post("/teams", json={"community_id": "C03", "capacity": capacity,
                                                  "members": members or ["stf_courier1", "stf_courier2"]})
    assert created.status_code == 201, created.text
    return created.json()


async def test_door_lifecycle_records_who_and_when_and_publishes_each_step(system: System) -> None:
    compound = f"C07-{uid('x')[-6:]}"
    _, household_id, _ = await household_in_registry(system, compound, quarantine=True)
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        team = await make_team(delivery)
        order = await place_until(delivery, order_body(merchant_id, household_id, channel="wechat",
                                                       shopping_list="米一袋，鸡蛋两盘"), "door")
        oid = order["order_id"]
        assert (order["channel"], order["placed_by"], order["shopping_list"]) == ("wechat", "staff", "米一袋，鸡蛋两盘")
        assert (await delivery.post(f"/orders/{oid}/pick-up")).status_code == 409  # not yet accepted
        async with system.client("delivery", Role.MERCHANT, organisation=uid("mer")) as other_merchant:
            assert (await other_merchant.post(f"/orders/{oid}/accept")).status_code == 403  # another merchant's token
        assert (await delivery.post(f"/orders/{oid}/accept")).status_code == 200
        assert (await delivery.post(f"/orders/{oid}/accept")).status_code == 409
        assigned = await delivery.post(f"/orders/{oid}/assign", json={"team_id": team["team_id"],
                                                                      "courier_id": "stf_courier1"})
        assert assigned.status_code == 200 and assigned.json()["team_id"] == team["team_id"]
        assert (await delivery.post(f"/orders/{oid}/pick-up")).status_code == 200
        wrong = await delivery.post(f"/orders/{oid}/hand-to-checkpoint")
        assert wrong.status_code == 409 and "door" in wrong.json()["detail"]
        delivered = await delivery.post(f"/orders/{oid}/deliver", json={"code": order["handover_code"]})
        assert delivered.status_code == 200
        final = delivered.json()
        assert final["status"] == "delivered"
        assert [s["status"] for s in final["steps"]] == ["placed", "accepted", "assigned", "picked_up", "delivered"]
        assert all(s["by"] == "test-admin" and s["at"] for s in final["steps"])
        cancel = await delivery.post(f"/orders/{oid}/cancel", json={"cancelled_by": "household", "reason": "other"})
        assert cancel.status_code == 409

    records = await read_topic(system.kafka, ORDER_TOPIC,
                               until=lambda rs: len(events_with(rs, aggregate_id=oid)) >= 5)
    mine = events_with(records, aggregate_id=oid)
    assert [e["event_type"].rsplit(".", 1)[1] for e in mine] == ["placed", "accepted", "assigned", "picked_up", "delivered"]
    assert [e["aggregate_version"] for e in mine] == [1, 2, 3, 4, 5]
    assert mine[2]["data"]["courier_id"] == "stf_courier1"
    assert "米一袋" not in str(mine)  # the shopping list as taken stays in delivery's database


async def test_checkpoint_lifecycle_collect_fail_and_cancel(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        team = await make_team(delivery)

        codes: dict[str, str] = {}

        async def through_pick_up() -> str:
            placed = await delivery.post("/orders", json=order_body(merchant_id, channel="in_person"))
            oid = placed.json()["order_id"]
            codes[oid] = placed.json()["handover_code"]
            assert placed.json()["channel"] == "staff_proxy"
            for step, body in [("accept", None), ("assign", {"team_id": team["team_id"], "courier_id": "stf_courier2"}),
                               ("pick-up", None)]:
                response = await delivery.post(f"/orders/{oid}/{step}", json=body)
                assert response.status_code == 200, response.text
            return oid

        oid = await through_pick_up()
        code = {"code": codes[oid]}
        assert (await delivery.post(f"/orders/{oid}/deliver", json=code)).status_code == 409
        assert (await delivery.post(f"/orders/{oid}/collect", json=code)).status_code == 409
        assert (await delivery.post(f"/orders/{oid}/hand-to-checkpoint")).status_code == 200
        collected = await delivery.post(f"/orders/{oid}/collect", json=code)
        assert collected.status_code == 200 and collected.json()["status"] == "collected"

        failing = await through_pick_up()
        failed = await delivery.post(f"/orders/{failing}/fail", json={"reason": "recipient_unreachable",
                                                                        "note": "no answer twice"})
        assert failed.status_code == 200
        assert (failed.json()["steps"][-1]["reason"], failed.json()["steps"][-1]["note"]) == (
            "recipient_unreachable", "no answer twice")

        cancelled_order = (await delivery.post("/orders", json=order_body(merchant_id, channel="online"))).json()
        assert cancelled_order["placed_by"] == "resident"
        cancelled = await delivery.post(f"/orders/{cancelled_order['order_id']}/cancel",
                                        json={"cancelled_by": "household", "reason": "household_request"})
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        bad_reason = await delivery.post(f"/orders/{oid}/fail", json={"reason": "bored"})
        assert bad_reason.status_code == 422 and "body.reason" in [e["field"] for e in bad_reason.json()["errors"]]

    records = await read_topic(system.kafka, ORDER_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=cancelled_order["order_id"], event_type="delivery.order.cancelled")))
    (event,) = events_with(records, aggregate_id=cancelled_order["order_id"], event_type="delivery.order.cancelled")
    assert (event["data"]["cancelled_by"], event["data"]["reason_code"]) == ("household", "household_request")
    collected_events = events_with(records, aggregate_id=oid)
    assert [e["event_type"].rsplit(".", 1)[1] for e in collected_events][-2:] == ["handed_to_checkpoint", "collected"]


async def test_team_capacity_is_respected_even_under_concurrent_assignment(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        team = await make_team(delivery, capacity=2)
        orders = []
        for _ in range(5):
            oid = (await delivery.post("/orders", json=order_body(merchant_id, channel="phone"))).json()["order_id"]
            assert (await delivery.post(f"/orders/{oid}/accept")).status_code == 200
            orders.append(oid)
        body = {"team_id": team["team_id"], "courier_id": "stf_courier1"}
        results = await asyncio.gather(*(delivery.post(f"/orders/{o}/assign", json=body) for o in orders))
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 200, 409, 409, 409], [r.text for r in results]
        full = next(r for r in results if r.status_code == 409)
        assert "capacity of 2" in full.json()["detail"]
        assert (await delivery.get(f"/teams/{team['team_id']}")).json()["in_hand"] == 2
        queue = (await delivery.get(f"/teams/{team['team_id']}/queue")).json()["items"]
        in_hand = [o["order_id"] for o in queue]
        assert len(in_hand) == 2 and all(o["status"] == "assigned" for o in queue)

        # one is delivered: a slot is free again for a waiting order
        waiting = next(o for o in orders if o not in in_hand)
        done = in_hand[0]
        for step in ("pick-up", "hand-to-checkpoint"):
            assert (await delivery.post(f"/orders/{done}/{step}")).status_code == 200
        assert (await delivery.post(f"/orders/{waiting}/assign", json=body)).status_code == 200
        queue = (await delivery.get(f"/teams/{team['team_id']}/queue")).json()["items"]
        assert sorted(o["order_id"] for o in queue) == sorted([in_hand[1], waiting])

        stranger = await delivery.post(f"/orders/{orders[-1]}/assign", json={**body, "courier_id": "stf_nobody"})
        assert stranger.status_code == 422 and "body.courier_id" in [e["field"] for e in stranger.json()["errors"]]
        no_team = await delivery.post(f"/orders/{orders[-1]}/assign", json={**body, "team_id": "team_missing"})
        assert no_team.status_code == 404


BAD_ORDERS = [
    ("unknown channel", {"channel": "pigeon"}, "body.channel"),
    ("no lines", {"lines": []}, "body.lines"),
    ("zero quantity", {"lines": [{"sku": "RICE-5KG", "quantity": 0}]}, "body.lines.0.quantity"),
    ("float price", {"lines": [{"sku": "RICE-5KG", "quantity": 1, "unit_price_cents": 32.9}]},
     "body.lines.0.unit_price_cents"),
    ("negative price", {"lines": [{"sku": "RICE-5KG", "quantity": 1, "unit_price_cents": -5}]},
     "body.lines.0.unit_price_cents"),
    ("unknown field", {"recipient_phone": "13800138000"}, "body.recipient_phone"),
    ("household missing", {"household_id": None}, "body.household_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_ORDERS, ids=[c[0] for c in BAD_ORDERS])
async def test_bad_order_input_is_refused_and_nothing_stored(system: System, case: str, change: dict, field: str) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = uid("mer")  # the body is checked before anything is looked up
        household = uid("hh")
        body = {k: v for k, v in {**order_body(merchant_id, household), **change}.items() if v is not None}
        response = await delivery.post("/orders", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
        assert (await delivery.get("/orders", params={"household_id": household})).json()["items"] == []


async def test_unknown_merchant_or_order_is_404(system: System) -> None:
    async with system.client("delivery") as delivery:
        household = uid("hh")
        assert (await delivery.post("/orders", json=order_body(uid("mer"), household))).status_code == 404
        assert (await delivery.get("/orders", params={"household_id": household})).json()["items"] == []
        assert (await delivery.post(f"/orders/{uid('ord')}/accept")).status_code == 404


async def test_tokens_and_roles_are_required(system: System) -> None:
    async with system.client("delivery", role=None) as anonymous:
        for method, path in [("post", "/orders"), ("get", "/orders"), ("post", "/merchants"), ("post", "/teams"),
                             ("get", "/merchants"), ("post", "/orders/x/accept")]:
            assert (await getattr(anonymous, method)(path)).status_code == 401, path
        assert (await anonymous.get("/healthz")).status_code == 200
    async with system.client("delivery", Role.PERMIT_REVIEWER) as reviewer:
        assert (await reviewer.post("/orders", json=order_body(uid("mer")))).status_code == 403
        assert (await reviewer.get("/orders")).status_code == 403
    async with system.client("delivery", Role.COMPOUND_VOLUNTEER) as volunteer:
        assert (await volunteer.post("/merchants", json={"name": "x", "kind": "shop"})).status_code == 403


async def test_idempotency_key_places_one_order(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        household = uid("hh")
        body = order_body(merchant_id, household)
        key = {"Idempotency-Key": uid("key")}
        first, second = await delivery.post("/orders", json=body, headers=key), await delivery.post(
            "/orders", json=body, headers=key)
        assert first.status_code == second.status_code == 201
        assert first.json()["order_id"] == second.json()["order_id"]
        assert second.headers.get("Idempotent-Replayed") == "true"
        assert len((await delivery.get("/orders", params={"household_id": household})).json()["items"]) == 1
        changed = await delivery.post("/orders", json={**body, "channel": "wechat"}, headers=key)
        assert changed.status_code == 422


async def test_order_list_pages(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        household = uid("hh")
        placed = [(await delivery.post("/orders", json=order_body(merchant_id, household))).json()["order_id"]
                  for _ in range(5)]
        seen, after = [], None
        while True:
            page = (await delivery.get("/orders", params={"household_id": household, "limit": 2,
                                                          **({"after": after} if after else {})})).json()
            seen += [o["order_id"] for o in page["items"]]
            after = page["next_after"]
            if after is None:
                break
        assert seen == placed  # ids sort by creation time


async def test_a_merchant_token_acts_for_its_own_merchant_only(system: System) -> None:
    import httpx

    async with system.client("delivery") as delivery:
        mine, other = await open_merchant(system, delivery), await open_merchant(system, delivery)
        others_order = (await delivery.post("/orders", json=order_body(other))).json()["order_id"]
    token = system.token(Role.MERCHANT, subject="stf_shop_clerk", organisation=mine)
    async with httpx.AsyncClient(base_url=system.services["delivery"].url, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as merchant:
        online = await merchant.post("/orders", json=order_body(mine, channel="online"))
        assert online.status_code == 201 and online.json()["placed_by"] == "resident"
        assert (await merchant.post("/orders", json=order_body(other, channel="online"))).status_code == 403
        assert (await merchant.post(f"/orders/{online.json()['order_id']}/accept")).status_code == 200
        assert (await merchant.post(f"/orders/{others_order}/accept")).status_code == 403
        listed = (await merchant.get("/orders", params={"merchant_id": other})).json()["items"]
        assert {o["merchant_id"] for o in listed} == {mine}
        assert (await merchant.post(f"/merchants/{other}/price-lists", json={"items": [
            {"sku": "X", "name": "x", "unit": "kg", "price_cents": 1}]})).status_code == 403
