"""Pickup points on the real stack: collection slots with a capacity at each checkpoint, the
household told where and when, parcels not collected in time flagged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from delivery_support import ORDER_TOPIC, open_merchant, order_body, uid
from e2e_support import System, events_with, read_topic


CODES: dict[str, str] = {}  # order id → the household's handover code, given when the order was placed


async def picked_up(delivery, merchant_id: str, team_id: str, compound: str) -> str:
    placed = (await delivery.post("/orders", json=order_body(merchant_id, compound_id=compound))).json()
    oid = placed["order_id"]
    CODES[oid] = placed["handover_code"]
    for step, body in [("accept", None), ("assign", {"team_id": team_id, "courier_id": "stf_c1"}), ("pick-up", None)]:
        assert (await delivery.post(f"/orders/{oid}/{step}", json=body)).status_code == 200
    return oid


async def hand_over(delivery, oid: str) -> dict:
    handed = await delivery.post(f"/orders/{oid}/hand-to-checkpoint")
    assert handed.status_code == 200, handed.text
    return handed.json()


async def test_slots_fill_to_capacity_in_order_and_late_parcels_are_flagged(system: System) -> None:
    compound = f"C05-{uid('x')[-6:]}"
    checkpoint = f"CP-{compound}"
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        team = (await delivery.post("/teams", json={"community_id": "C05", "capacity": 50, "members": ["stf_c1"]})).json()
        ready = [await picked_up(delivery, merchant_id, team["team_id"], compound) for _ in range(4)]
        now = datetime.now(UTC)
        soon = await delivery.post(f"/pickup-points/{checkpoint}/slots", json={
            "from": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(seconds=15)).isoformat(),
            "capacity": 2})
        later = await delivery.post(f"/pickup-points/{checkpoint}/slots", json={
            "from": (now + timedelta(hours=2)).isoformat(), "until": (now + timedelta(hours=4)).isoformat(),
            "capacity": 1})
        assert soon.status_code == later.status_code == 201, soon.text
        soon_id, later_id = soon.json()["slot_id"], later.json()["slot_id"]

        parcels = [await hand_over(delivery, oid) for oid in ready]
        slots = [p["pickup"]["slot_id"] for p in parcels]
        assert slots == [soon_id, soon_id, later_id, None]  # the fourth finds no room: held for the default time
        assert all(p["pickup"]["checkpoint_id"] == checkpoint for p in parcels)
        assert parcels[2]["pickup"]["from"].startswith(later.json()["from"][:19])
        listed = (await delivery.get(f"/pickup-points/{checkpoint}/slots")).json()["items"]
        assert {s["slot_id"]: s["booked"] for s in listed} == {soon_id: 2, later_id: 1}

        first = parcels[0]["order_id"]
        collected = await delivery.post(f"/orders/{first}/collect", json={"code": CODES[first]})
        assert collected.status_code == 200
        await asyncio.sleep(max(0.0, (now + timedelta(seconds=16) - datetime.now(UTC)).total_seconds()))
        flagged = (await delivery.get(f"/pickup-points/{checkpoint}/uncollected")).json()["items"]
        assert [o["order_id"] for o in flagged] == [parcels[1]["order_id"]]  # collected and later ones are not

    records = await read_topic(system.kafka, ORDER_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=parcels[2]["order_id"], event_type="delivery.order.handed_to_checkpoint")))
    (handed,) = events_with(records, aggregate_id=parcels[2]["order_id"], event_type="delivery.order.handed_to_checkpoint")
    assert handed["data"]["pickup_slot_id"] == later_id and handed["data"]["collect_until"].endswith("Z")


async def test_concurrent_hand_overs_never_overbook_a_slot(system: System) -> None:
    compound = f"C05-{uid('x')[-6:]}"
    checkpoint = f"CP-{compound}"
    now = datetime.now(UTC)
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        team = (await delivery.post("/teams", json={"community_id": "C05", "capacity": 50, "members": ["stf_c1"]})).json()
        slot = (await delivery.post(f"/pickup-points/{checkpoint}/slots", json={
            "from": now.isoformat(), "until": (now + timedelta(hours=3)).isoformat(), "capacity": 3})).json()
        orders = []
        for _ in range(6):
            oid = (await delivery.post("/orders", json=order_body(merchant_id, compound_id=compound))).json()["order_id"]
            for step, body in [("accept", None), ("assign", {"team_id": team["team_id"], "courier_id": "stf_c1"}),
                               ("pick-up", None)]:
                assert (await delivery.post(f"/orders/{oid}/{step}", json=body)).status_code == 200
            orders.append(oid)
        handed = await asyncio.gather(*(delivery.post(f"/orders/{o}/hand-to-checkpoint") for o in orders))
        assert all(h.status_code == 200 for h in handed)
        in_slot = [h.json()["order_id"] for h in handed if h.json()["pickup"]["slot_id"] == slot["slot_id"]]
        assert len(in_slot) == 3
        listed = (await delivery.get(f"/pickup-points/{checkpoint}/slots")).json()["items"]
        assert [s["booked"] for s in listed] == [3]


async def test_bad_slot_input_is_refused(system: System) -> None:
    checkpoint = f"CP-C05-{uid('x')[-6:]}"
    now = datetime.now(UTC)
    async with system.client("delivery") as delivery:
        for body, field in [({"from": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat(), "capacity": 1},
                             "body.until"),
                            ({"from": now.isoformat(), "until": (now + timedelta(hours=1)).isoformat(), "capacity": 0},
                             "body.capacity"),
                            ({"from": "noon", "until": (now + timedelta(hours=1)).isoformat(), "capacity": 1},
                             "body.from"),
                            ({"from": "2020-02-14T08:00:00", "until": "2020-02-14T09:00:00+08:00", "capacity": 1},
                             "body.from")]:
            refused = await delivery.post(f"/pickup-points/{checkpoint}/slots", json=body)
            assert refused.status_code == 422, refused.text
            assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
        assert (await delivery.get(f"/pickup-points/{checkpoint}/slots")).json()["items"] == []
