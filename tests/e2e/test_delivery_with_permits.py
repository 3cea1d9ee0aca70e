"""Permits → delivery through both services' HTTP apis: an order is accepted only while the
merchant's business-reopening permit, issued by the permits service's joint review, holds."""

from __future__ import annotations

from delivery_support import ORDER_TOPIC, PRICES, order_body, uid, wait_allowed
from e2e_support import System, events_with, read_topic
from permits_support import business_reopening, issue


async def test_order_needs_a_permit_issued_by_the_permits_service(system: System) -> None:
    merchant_id = uid("mer")
    async with system.client("delivery") as delivery:
        assert (await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "城关超市",
                                                        "kind": "supermarket"})).status_code == 201
        assert (await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": PRICES})).status_code == 201
        before = await delivery.post("/orders", json=order_body(merchant_id))
        assert before.status_code == 422 and before.json()["reason"] == "merchant_not_open"

        permit = await issue(system, business_reopening(merchant_id))
        await wait_allowed(delivery, merchant_id, True)
        placed = await delivery.post("/orders", json=order_body(merchant_id))
        assert placed.status_code == 201, placed.text

        async with system.client("permits") as permits:
            revoked = await permits.post(f"/permits/{permit['permit_id']}/revoke",
                                         json={"reason": "opening_standard_breached"})
            assert revoked.status_code == 200, revoked.text
        await wait_allowed(delivery, merchant_id, False)
        after = await delivery.post("/orders", json=order_body(merchant_id))
        assert after.status_code == 422 and after.json()["reason"] == "merchant_not_open"

    oid = placed.json()["order_id"]
    records = await read_topic(system.kafka, ORDER_TOPIC, until=lambda rs: bool(events_with(rs, aggregate_id=oid)))
    assert events_with(records, aggregate_id=oid)[0]["event_type"] == "delivery.order.placed"
