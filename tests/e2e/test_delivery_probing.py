"""What outside probing found in delivery (issue 16), on the real stack.

- Point 2: a merchant's token tells nothing of a household's quarantine. Where an order goes (the
  door when someone in the household is in quarantine) is shown to staff only; every answer a
  merchant gets for a quarantined household's order is the same as for a free one's, but for the
  ids, and a shop that may not sell is refused before the household is looked at.
- Point 7: delivering at the door takes a proof (the household's one-time handover code, given
  with the order, or a photo or signature reference) and collecting at the checkpoint takes the
  code; a wrong or missing one is a 422 naming the field and changes nothing. The code is never
  published nor logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from delivery_support import ORDER_TOPIC, household_in_registry, open_merchant, order_body, place_until, uid
from e2e_support import System, events_with, read_topic
from towngrid_kit.auth import Role

HIDDEN = ("order_id", "household_id", "handover_code", "at")  # differ between any two orders


def blank(answer: Any, ids: tuple[str, ...] = ()) -> Any:
    """An answer with what differs between any two orders (ids, times, the code) blanked out."""
    if isinstance(answer, dict):
        return {k: "…" if k in HIDDEN else blank(v, ids) for k, v in answer.items()}
    if isinstance(answer, list):
        return [blank(v, ids) for v in answer]
    if isinstance(answer, str):
        for known in filter(None, ids):
            answer = answer.replace(known, "…")
    return answer


async def two_households(system: System, admin: httpx.AsyncClient) -> tuple[str, str, str]:
    """(compound, a household with someone in quarantine, a free household), both known to delivery
    (staff orders placed until they go to the door and the checkpoint, with a shop of their own)."""
    shop = await open_merchant(system, admin)
    compound = f"C07-{uid('x')[-6:]}"
    _, quarantined, _ = await household_in_registry(system, compound, quarantine=True)
    _, free, _ = await household_in_registry(system, compound, quarantine=False)
    await place_until(admin, order_body(shop, quarantined, compound_id=None), "door")
    await place_until(admin, order_body(shop, free, compound_id=None), "checkpoint")
    return compound, quarantined, free


async def test_a_merchant_cannot_tell_which_household_is_in_quarantine(system: System) -> None:
    async with system.client("delivery") as admin:
        shop = await open_merchant(system, admin)
        compound, quarantined, free = await two_households(system, admin)
        team = await admin.post("/teams", json={"community_id": "C07", "capacity": 10, "members": ["stf_c1"]})
        assert team.status_code == 201, team.text
        async with system.client("delivery", Role.MERCHANT, subject="stf_shop", organisation=shop) as merchant:

            async def alike(door: httpx.Response, checkpoint: httpx.Response, ids: tuple[str, ...]) -> Any:
                assert door.status_code == checkpoint.status_code, (door.text, checkpoint.text)
                assert blank(door.json(), ids) == blank(checkpoint.json(), ids), (door.text, checkpoint.text)
                return door.json()

            placed = {h: await merchant.post("/orders", json=order_body(shop, h, compound_id=None, channel="online"))
                      for h in (quarantined, free)}
            door, pickup = placed[quarantined].json(), placed[free].json()
            ids = (door["order_id"], pickup["order_id"], quarantined, free)
            shown = await alike(placed[quarantined], placed[free], ids)
            assert (shown["status"], shown["destination"], shown["checkpoint_id"]) == ("placed", None, None)

            async def merchant_sees() -> Any:
                return await alike(await merchant.get(f"/orders/{door['order_id']}"),
                                   await merchant.get(f"/orders/{pickup['order_id']}"), ids)

            for order in (door, pickup):
                assert (await merchant.post(f"/orders/{order['order_id']}/accept")).status_code == 200
                for step, body in [("assign", {"team_id": team.json()["team_id"], "courier_id": "stf_c1"}),
                                   ("pick-up", None)]:
                    assert (await admin.post(f"/orders/{order['order_id']}/{step}", json=body)).status_code == 200
            handed = await admin.post(f"/orders/{pickup['order_id']}/hand-to-checkpoint")
            assert handed.status_code == 200, handed.text
            assert (await merchant_sees())["status"] == "picked_up"  # at the door's or at the checkpoint
            cancel = {"cancelled_by": "merchant", "reason": "merchant_out_of_stock"}
            await alike(await merchant.post(f"/orders/{door['order_id']}/cancel", json=cancel),
                        await merchant.post(f"/orders/{pickup['order_id']}/cancel", json=cancel), ids)
            await alike(*[await merchant.get("/orders", params={"household_id": h}) for h in (quarantined, free)], ids)

            assert (await admin.post(f"/orders/{door['order_id']}/deliver",
                                     json={"code": door["handover_code"]})).status_code == 200
            assert (await admin.post(f"/orders/{pickup['order_id']}/collect",
                                     json={"code": pickup["handover_code"]})).status_code == 200
            final = await merchant_sees()
            assert final["status"] == "delivered" and final["version"] is None and final["proof"] is None
            assert [s["status"] for s in final["steps"]] == ["placed", "accepted", "assigned", "picked_up", "delivered"]
            assert all(s["by"] is None for s in final["steps"])
            await alike(*[await merchant.get("/orders", params={"household_id": h}) for h in (quarantined, free)], ids)

            delivered = (await merchant.get("/orders", params={"status": "delivered"})).json()["items"]
            assert {door["order_id"], pickup["order_id"]} <= {o["order_id"] for o in delivered}
            for name, value in [("status", "collected"), ("status", "handed_to_checkpoint"),
                                ("checkpoint_id", f"CP-{compound}")]:
                refused = await merchant.get("/orders", params={name: value})
                assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == [f"query.{name}"]

        # staff still see where it goes: a town admin and the compound's volunteer
        async with system.client("delivery", Role.COMPOUND_VOLUNTEER, f"compound:{compound}") as volunteer:
            for staff in (admin, volunteer):
                seen = [(await staff.get(f"/orders/{o['order_id']}")).json() for o in (door, pickup)]
                assert [(o["destination"], o["checkpoint_id"], o["status"]) for o in seen] == [
                    ("door", None, "delivered"), ("checkpoint", f"CP-{compound}", "collected")]


async def test_a_shop_that_may_not_sell_is_refused_before_the_household_is_looked_at(system: System) -> None:
    async with system.client("delivery") as admin:
        _, quarantined, free = await two_households(system, admin)
        closed = uid("mer")
        registered = await admin.post("/merchants", json={"merchant_id": closed, "name": "未开业", "kind": "shop",
                                                          "community_id": "C07"})
        assert registered.status_code == 201, registered.text
        unknown = uid("hh")
        async with system.client("delivery", Role.MERCHANT, subject="stf_shop", organisation=closed) as merchant:
            answers = {h: await merchant.post("/orders", json=order_body(closed, h, compound_id=None, channel="online"))
                       for h in (quarantined, free, unknown)}
        orders = tuple(a.json().get("order", {}).get("order_id", "") for a in answers.values())
        shown = [blank(a.json(), (*orders, quarantined, free, unknown)) for a in answers.values()]
        assert shown[0] == shown[1] == shown[2], [a.text for a in answers.values()]
        assert answers[quarantined].status_code == 422 and answers[quarantined].json()["reason"] == "merchant_not_open"
        assert answers[quarantined].json()["order"]["destination"] is None


async def door_order_picked_up(system: System, admin: httpx.AsyncClient) -> tuple[dict, str]:
    shop = await open_merchant(system, admin)
    _, household, _ = await household_in_registry(system, f"C07-{uid('x')[-6:]}", quarantine=True)
    order = await place_until(admin, order_body(shop, household, compound_id=None), "door")
    team = (await admin.post("/teams", json={"community_id": "C07", "capacity": 10, "members": ["stf_c1"]})).json()
    for step, body in [("accept", None), ("assign", {"team_id": team["team_id"], "courier_id": "stf_c1"}),
                       ("pick-up", None)]:
        assert (await admin.post(f"/orders/{order['order_id']}/{step}", json=body)).status_code == 200
    return order, team["team_id"]


def refused_naming(response: httpx.Response, field: str) -> bool:
    return (response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
            and field in [e["field"] for e in response.json()["errors"]])


async def test_a_door_delivery_takes_the_household_code_or_a_photo_or_signature(system: System) -> None:
    async with system.client("delivery", subject="stf_courier") as admin:
        order, team_id = await door_order_picked_up(system, admin)
        oid, code = order["order_id"], order["handover_code"]
        assert len(code) == 8 and (await admin.get(f"/orders/{oid}")).json()["handover_code"] is None  # shown once
        wrong = "23456789" if code != "23456789" else "98765432"
        for body, field in [(None, "body"), ({}, "body.code"), ({"code": wrong}, "body.code"),
                            ({"code": code, "photo_ref": "photo_1"}, "body.photo_ref"), ({"code": "x"}, "body.code")]:
            assert refused_naming(await admin.post(f"/orders/{oid}/deliver", json=body), field), body
        unchanged = (await admin.get(f"/orders/{oid}")).json()
        assert (unchanged["status"], unchanged["proof"], len(unchanged["steps"])) == ("picked_up", None, 4)
        assert (await admin.get(f"/teams/{team_id}")).json()["in_hand"] == 1  # its seat is still taken

        delivered = await admin.post(f"/orders/{oid}/deliver", json={"code": code.lower()})
        assert delivered.status_code == 200, delivered.text
        assert delivered.json()["proof"] | {"at": None} == {"kind": "code", "reference": None, "by": "stf_courier",
                                                          "at": None}
        photo_order, _ = await door_order_picked_up(system, admin)
        by_photo = await admin.post(f"/orders/{photo_order['order_id']}/deliver", json={"photo_ref": "photo_7f3a9c"})
        assert by_photo.status_code == 200 and by_photo.json()["proof"]["kind"] == "photo"
        assert by_photo.json()["proof"]["reference"] == "photo_7f3a9c"

    records = await read_topic(system.kafka, ORDER_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=photo_order["order_id"], event_type="delivery.order.delivered")))
    (event,) = events_with(records, aggregate_id=oid, event_type="delivery.order.delivered")
    assert (event["data"]["proof"], event["data"]["handed_over_by"]) == ("code", "stf_courier")
    (photo_event,) = events_with(records, aggregate_id=photo_order["order_id"], event_type="delivery.order.delivered")
    assert photo_event["data"]["proof"] == "photo" and "photo_7f3a9c" not in str(photo_event)
    mine = str(events_with(records, aggregate_id=oid)) + str(events_with(records, aggregate_id=photo_order["order_id"]))
    assert code not in mine and photo_order["handover_code"] not in mine
    logs = sorted((Path(system.config.data_dir) / "logs").glob("delivery-*.log"))
    assert logs and not [p for p in logs if code in p.read_text(errors="replace")]


async def test_collecting_at_the_checkpoint_takes_the_household_code(system: System) -> None:
    async with system.client("delivery", subject="stf_gate") as admin:
        shop = await open_merchant(system, admin)
        team = (await admin.post("/teams", json={"community_id": "C03", "capacity": 10, "members": ["stf_c1"]})).json()
        body, key = order_body(shop), {"Idempotency-Key": uid("key")}
        placed = (await admin.post("/orders", json=body, headers=key)).json()
        oid, code = placed["order_id"], placed["handover_code"]
        replayed = await admin.post("/orders", json=body, headers=key)
        assert replayed.headers.get("Idempotent-Replayed") == "true" and replayed.json()["order_id"] == oid
        assert code and replayed.json()["handover_code"] is None  # the stored answer does not hold the code
        for step, body in [("accept", None), ("assign", {"team_id": team["team_id"], "courier_id": "stf_c1"}),
                           ("pick-up", None), ("hand-to-checkpoint", None)]:
            assert (await admin.post(f"/orders/{oid}/{step}", json=body)).status_code == 200
        wrong = "23456789" if code != "23456789" else "98765432"
        for body, field in [(None, "body"), ({}, "body.code"), ({"code": wrong}, "body.code")]:
            assert refused_naming(await admin.post(f"/orders/{oid}/collect", json=body), field), body
        assert (await admin.get(f"/orders/{oid}")).json()["status"] == "handed_to_checkpoint"
        collected = await admin.post(f"/orders/{oid}/collect", json={"code": code})
        assert collected.status_code == 200 and collected.json()["status"] == "collected"
        assert (collected.json()["proof"]["kind"], collected.json()["proof"]["by"]) == ("code", "stf_gate")

    records = await read_topic(system.kafka, ORDER_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=oid, event_type="delivery.order.collected")))
    (event,) = events_with(records, aggregate_id=oid, event_type="delivery.order.collected")
    assert (event["data"]["proof"], event["data"]["handed_over_by"]) == ("code", "stf_gate")
    assert code not in str(events_with(records, aggregate_id=oid))
