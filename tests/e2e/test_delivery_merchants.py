"""Delivery on the real stack: merchants sell only while they hold an issued business-reopening
permit (from permits.permit.v1), and orders are priced from the in-store price list in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from delivery_support import (
    MERCHANT_TOPIC,
    ORDER_TOPIC,
    PERMIT_TOPIC,
    PRICES,
    issued,
    open_merchant,
    order_body,
    permit_fields,
    send_permit_events,
    uid,
    wait_allowed,
)
from e2e_support import System, events_with, read_topic, wait_consumed
from towngrid_contracts.permits import (
    PermitApplied,
    PermitExpired,
    PermitIssued,
    PermitReinstated,
    PermitRevoked,
    PermitSuspended,
)


async def rejected_event(system: System, order_id: str) -> dict:
    records = await read_topic(system.kafka, ORDER_TOPIC,
                               until=lambda rs: bool(events_with(rs, aggregate_id=order_id)))
    (event,) = events_with(records, aggregate_id=order_id)
    assert event["event_type"] == "delivery.order.rejected"
    return event["data"]


async def test_permit_lifecycle_opens_and_closes_the_merchant(system: System) -> None:
    now = datetime.now(UTC)
    async with system.client("delivery") as delivery:
        merchant_id = uid("mer")
        assert (await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "菜市场 12 号摊",
                                                        "kind": "market_stall"})).status_code == 201
        assert (await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": PRICES})).status_code == 201

        # no permit yet (an application is not a permit): refused, and the refusal is an event
        permit_id = uid("pmt")
        await send_permit_events(system, permit_id, [(1, PermitApplied(
            **permit_fields(merchant_id, permit_id), channel="online_qr", applied_at=now))])
        refused = await delivery.post("/orders", json=order_body(merchant_id))
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["reason"] == "merchant_not_open"
        assert "body.merchant_id" in [e["field"] for e in refused.json()["errors"]]
        assert (await rejected_event(system, refused.json()["order"]["order_id"]))["reason"] == "merchant_not_open"

        # issued → may sell
        await send_permit_events(system, permit_id, [(2, issued(merchant_id, permit_id))])
        await wait_allowed(delivery, merchant_id, True)
        assert (await delivery.post("/orders", json=order_body(merchant_id))).status_code == 201

        # suspended → may not; reinstated → may again; revoked → may not
        await send_permit_events(system, permit_id, [(3, PermitSuspended(
            **permit_fields(merchant_id, permit_id), reason="under_investigation", suspended_at=now))])
        await wait_allowed(delivery, merchant_id, False)
        assert (await delivery.post("/orders", json=order_body(merchant_id))).json()["reason"] == "merchant_not_open"
        await send_permit_events(system, permit_id, [(4, PermitReinstated(
            **permit_fields(merchant_id, permit_id), valid_until=now + timedelta(days=10), reinstated_at=now))])
        await wait_allowed(delivery, merchant_id, True)
        assert (await delivery.post("/orders", json=order_body(merchant_id))).status_code == 201
        await send_permit_events(system, permit_id, [(5, PermitRevoked(
            **permit_fields(merchant_id, permit_id), reason="opening_standard_breached", revoked_at=now))])
        await wait_allowed(delivery, merchant_id, False)
        assert (await delivery.post("/orders", json=order_body(merchant_id))).status_code == 422

        # a stale redelivery of the old "issued" event does not reopen it
        ((partition, offset),) = await send_permit_events(system, permit_id, [(2, issued(merchant_id, permit_id))])
        await wait_consumed(system.kafka, "delivery", PERMIT_TOPIC, partition, offset)
        assert (await delivery.get(f"/merchants/{merchant_id}")).json()["allowed_to_sell"] is False
        listed = await delivery.get("/orders", params={"merchant_id": merchant_id, "status": "placed"})
        assert len(listed.json()["items"]) == 2


async def test_expired_permit_and_permit_past_its_window_stop_the_merchant(system: System) -> None:
    async with system.client("delivery") as delivery:
        # a merchant whose permit's validity window has already ended, without an expiry event
        late = uid("mer")
        await delivery.post("/merchants", json={"merchant_id": late, "name": "小卖部", "kind": "shop"})
        await delivery.post(f"/merchants/{late}/price-lists", json={"items": PRICES})
        permit_id = uid("pmt")
        now = datetime.now(UTC)
        await send_permit_events(system, permit_id, [(2, PermitIssued(
            **permit_fields(late, permit_id), valid_from=now - timedelta(days=30), valid_until=now - timedelta(days=1),
            issued_at=now - timedelta(days=30)))])
        # a merchant whose permit expires
        exp_merchant = uid("mer")
        await delivery.post("/merchants", json={"merchant_id": exp_merchant, "name": "药店", "kind": "shop"})
        await delivery.post(f"/merchants/{exp_merchant}/price-lists", json={"items": PRICES})
        exp_permit = uid("pmt")
        await send_permit_events(system, exp_permit, [(2, issued(exp_merchant, exp_permit))])
        await wait_allowed(delivery, exp_merchant, True)
        await send_permit_events(system, exp_permit, [(3, PermitExpired(
            **permit_fields(exp_merchant, exp_permit), expired_at=now))])
        await wait_allowed(delivery, exp_merchant, False)
        assert (await delivery.get(f"/merchants/{late}")).json()["allowed_to_sell"] is False
        assert (await delivery.post("/orders", json=order_body(late))).json()["reason"] == "merchant_not_open"


async def test_price_above_in_store_is_rejected_with_sku_and_both_prices(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        body = order_body(merchant_id, lines=[{"sku": "RICE-5KG", "quantity": 1, "unit_price_cents": 3290},
                                              {"sku": "EGG-30", "quantity": 1, "unit_price_cents": 1990}])
        refused = await delivery.post("/orders", json=body)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["reason"] == "price_above_in_store"
        assert problem["price_violations"] == [{"sku": "EGG-30", "unit_price_cents": 1990, "in_store_price_cents": 1850}]
        assert "body.lines.1.sku" in [e["field"] for e in problem["errors"]]
        assert "EGG-30" in problem["detail"] and "1990" in problem["detail"] and "1850" in problem["detail"]
        event = await rejected_event(system, problem["order"]["order_id"])
        assert event["price_violations"] == problem["price_violations"]
        stored = await delivery.get(f"/orders/{problem['order']['order_id']}")
        assert stored.json()["status"] == "rejected"

        # at or below the in-store price is fine; the line keeps the quoted price, others the list price
        ok = await delivery.post("/orders", json=order_body(merchant_id, lines=[
            {"sku": "RICE-5KG", "quantity": 2}, {"sku": "EGG-30", "quantity": 1, "unit_price_cents": 1800}]))
        assert ok.status_code == 201, ok.text
        assert [(x["sku"], x["unit_price_cents"]) for x in ok.json()["lines"]] == [("RICE-5KG", 3290), ("EGG-30", 1800)]
        assert ok.json()["total_cents"] == 2 * 3290 + 1800


async def test_unknown_sku_is_rejected_with_the_reason(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        refused = await delivery.post("/orders", json=order_body(merchant_id, lines=[
            {"sku": "RICE-5KG", "quantity": 1}, {"sku": "MASK-N95", "quantity": 5}]))
        assert refused.status_code == 422
        assert (refused.json()["reason"], refused.json()["unknown_skus"]) == ("unknown_sku", ["MASK-N95"])
        assert "body.lines.1.sku" in [e["field"] for e in refused.json()["errors"]]
        event = await rejected_event(system, refused.json()["order"]["order_id"])
        assert (event["reason"], event["unknown_skus"]) == ("unknown_sku", ["MASK-N95"])


async def test_price_list_versions_the_one_in_force_counts(system: System) -> None:
    async with system.client("delivery") as delivery:
        merchant_id = await open_merchant(system, delivery)
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        v2 = await delivery.post(f"/merchants/{merchant_id}/price-lists", json={
            "effective_from": later, "items": [{"sku": "RICE-5KG", "name": "大米", "unit": "bag", "price_cents": 2990}]})
        assert v2.status_code == 201 and v2.json()["version"] == 2
        soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        v3 = await delivery.post(f"/merchants/{merchant_id}/price-lists", json={
            "effective_from": soon, "items": [{"sku": "RICE-5KG", "name": "大米", "unit": "bag", "price_cents": 3100}]})
        assert v3.status_code == 409, v3.text  # cannot start before the newer version 2

        placed = await delivery.post("/orders", json=order_body(merchant_id, lines=[{"sku": "RICE-5KG", "quantity": 1}]))
        assert (placed.json()["price_list_version"], placed.json()["lines"][0]["unit_price_cents"]) == (1, 3290)
        merchant = (await delivery.get(f"/merchants/{merchant_id}")).json()
        assert merchant["price_list_versions"] == 2 and merchant["current_price_list"]["version"] == 1
        assert (await delivery.get(f"/merchants/{merchant_id}/price-lists/2")).json()["items"][0]["price_cents"] == 2990

    records = await read_topic(system.kafka, MERCHANT_TOPIC, until=lambda rs: len(events_with(
        rs, aggregate_id=merchant_id, event_type="delivery.merchant.price_list_published")) >= 2)
    published = events_with(records, aggregate_id=merchant_id, event_type="delivery.merchant.price_list_published")
    assert [e["data"]["price_list_version"] for e in published] == [1, 2]
    assert "大米" not in records[-1].value.decode()  # products travel by sku only


async def test_bad_merchant_and_price_list_input_is_refused_and_nothing_stored(system: System) -> None:
    async with system.client("delivery") as delivery:
        bad = await delivery.post("/merchants", json={"name": "x", "kind": "casino"})
        assert bad.status_code == 422 and "body.kind" in [e["field"] for e in bad.json()["errors"]]
        extra = await delivery.post("/merchants", json={"name": "x", "kind": "shop", "owner_mobile": "13800000000"})
        assert "body.owner_mobile" in [e["field"] for e in extra.json()["errors"]]
        merchant_id = uid("mer")
        assert (await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "x",
                                                        "kind": "shop"})).status_code == 201
        again = await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "y", "kind": "shop"})
        assert again.status_code == 409
        for items, field in [([{"sku": "A", "name": "a", "unit": "kg", "price_cents": 1.5}], "body.items.0.price_cents"),
                             ([{"sku": "A", "name": "a", "unit": "kg", "price_cents": -1}], "body.items.0.price_cents"),
                             ([], "body.items"),
                             ([{"sku": "A", "name": "a", "unit": "kg", "price_cents": 1},
                               {"sku": "A", "name": "b", "unit": "kg", "price_cents": 2}], "body.items")]:
            refused = await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": items})
            assert refused.status_code == 422, (items, refused.text)
            assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
        assert (await delivery.get(f"/merchants/{merchant_id}")).json()["price_list_versions"] == 0
        assert (await delivery.post(f"/merchants/{uid('mer')}/price-lists", json={"items": PRICES})).status_code == 404
