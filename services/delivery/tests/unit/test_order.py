"""The order's pricing and state machine, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from towngrid_kit.errors import Conflict, InvalidInput
from delivery.domain.merchant import Merchant, Product
from delivery.domain.merchant_view import steps_as_merchant_sees
from delivery.domain.order import Order, Proof, RequestedLine

T0 = datetime(2020, 2, 14, 2, 0, tzinfo=UTC)
CODE = "K7QM2XPA"


def merchant() -> Merchant:
    m = Merchant.register("mer_1", "城关超市", "supermarket", "C03", T0)
    m.publish_price_list([Product("RICE-5KG", "大米 5kg", "bag", 3290), Product("EGG-30", "鸡蛋", "tray", 1850)],
                         T0, T0)
    return m


def place(lines: list[RequestedLine], *, allowed: bool = True, in_quarantine: bool = False, at: datetime = T0,
          m: Merchant | None = None) -> Order:
    m = m or merchant()
    return Order.place(order_id="ord_1", household_id="hh_1", compound_id="C03-017", merchant_id=m.merchant_id,
                       merchant_allowed=allowed, price_list=m.price_list_at(at), requested=lines, channel="phone",
                       placed_by="staff", in_quarantine=in_quarantine, by="stf_1", now=at, handover_code=CODE)


def test_lines_are_priced_from_the_list_and_the_destination_is_the_checkpoint() -> None:
    order = place([RequestedLine("RICE-5KG", 2), RequestedLine("EGG-30", 1, 1800)])
    assert order.status == "placed"
    assert [(x.sku, x.unit_price_cents) for x in order.lines] == [("RICE-5KG", 3290), ("EGG-30", 1800)]
    assert order.total_cents == 2 * 3290 + 1800
    (event,) = order.pending
    assert event.event_type == "delivery.order.placed"
    assert (event.destination, event.checkpoint_id, event.channel) == ("checkpoint", "CP-C03-017", "hotline")
    assert event.total_cents == order.total_cents and event.price_list_version == 1


def test_quarantined_household_gets_the_door() -> None:
    order = place([RequestedLine("RICE-5KG", 1)], in_quarantine=True)
    assert (order.destination, order.checkpoint_id) == ("door", None)


def test_price_above_in_store_is_rejected_with_both_prices() -> None:
    order = place([RequestedLine("RICE-5KG", 1, 3300), RequestedLine("EGG-30", 1, 1850)])
    assert order.status == "rejected"
    (event,) = order.pending
    assert event.reason == "price_above_in_store"
    assert [(v.sku, v.unit_price_cents, v.in_store_price_cents) for v in event.price_violations] == [
        ("RICE-5KG", 3300, 3290)]


def test_unknown_sku_and_closed_merchant_are_rejected_with_the_reason() -> None:
    unknown = place([RequestedLine("CAVIAR", 1), RequestedLine("EGG-30", 1)])
    assert (unknown.status, unknown.pending[0].reason, unknown.pending[0].unknown_skus) == (
        "rejected", "unknown_sku", ["CAVIAR"])
    closed = place([RequestedLine("EGG-30", 1)], allowed=False)
    assert (closed.status, closed.pending[0].reason) == ("rejected", "merchant_not_open")


def test_the_price_list_in_force_at_order_time_counts() -> None:
    m = merchant()
    m.publish_price_list([Product("RICE-5KG", "大米 5kg", "bag", 3500)], T0 + timedelta(days=1), T0)
    before = place([RequestedLine("RICE-5KG", 1)], m=m, at=T0 + timedelta(hours=1))
    after = place([RequestedLine("RICE-5KG", 1)], m=m, at=T0 + timedelta(days=2))
    assert (before.lines[0].unit_price_cents, before.price_list_version) == (3290, 1)
    assert (after.lines[0].unit_price_cents, after.price_list_version) == (3500, 2)
    with pytest.raises(Conflict):
        m.publish_price_list([Product("RICE-5KG", "x", "bag", 1)], T0, T0)


def test_price_list_refuses_duplicate_skus() -> None:
    with pytest.raises(InvalidInput):
        merchant().publish_price_list([Product("A", "a", "kg", 1), Product("A", "a", "kg", 2)], T0, T0)


def test_door_lifecycle_records_who_and_when() -> None:
    order = place([RequestedLine("RICE-5KG", 1)], in_quarantine=True)
    order.accept("mer_1", T0)
    order.assign("team_1", "stf_9", "stf_1", T0)
    order.pick_up("stf_9", T0)
    order.deliver("stf_9", T0 + timedelta(minutes=30), Proof(code=CODE))
    assert order.status == "delivered"
    assert [(s.status, s.by) for s in order.steps] == [
        ("placed", "stf_1"), ("accepted", "mer_1"), ("assigned", "stf_1"), ("picked_up", "stf_9"), ("delivered", "stf_9")]
    assert [e.event_type.rsplit(".", 1)[1] for e in order.pending] == [
        "placed", "accepted", "assigned", "picked_up", "delivered"]
    with pytest.raises(Conflict):
        order.cancel("staff", "other", "stf_1", T0)


def test_checkpoint_lifecycle_and_wrong_destination_refused() -> None:
    order = place([RequestedLine("RICE-5KG", 1)])
    order.accept("mer_1", T0)
    order.assign("team_1", "stf_9", "stf_1", T0)
    order.pick_up("stf_9", T0)
    with pytest.raises(Conflict):
        order.deliver("stf_9", T0, Proof(code=CODE))
    order.hand_to_checkpoint("stf_2", T0)
    order.collect("stf_2", T0, CODE.lower())
    assert order.status == "collected" and order.pending[-1].checkpoint_id == "CP-C03-017"


@pytest.mark.parametrize("step", ["assign", "pick_up", "deliver", "collect"])
def test_illegal_transitions_from_placed_are_refused(step: str) -> None:
    order = place([RequestedLine("RICE-5KG", 1)], in_quarantine=True)
    calls = {"assign": lambda: order.assign("t", "c", "s", T0), "pick_up": lambda: order.pick_up("s", T0),
             "deliver": lambda: order.deliver("s", T0, Proof(code=CODE)), "collect": lambda: order.collect("s", T0, CODE)}
    with pytest.raises(Conflict):
        calls[step]()
    assert order.status == "placed" and len(order.pending) == 1


def test_failure_and_cancellation_carry_reasons() -> None:
    failed = place([RequestedLine("RICE-5KG", 1)])
    failed.accept("mer_1", T0)
    failed.fail("merchant_unable", "mer_1", T0, note="out of rice")
    assert (failed.status, failed.steps[-1].reason, failed.pending[-1].reason) == ("failed", "merchant_unable", "merchant_unable")
    cancelled = place([RequestedLine("RICE-5KG", 1)])
    cancelled.cancel("household", "household_request", "stf_1", T0)
    assert (cancelled.pending[-1].cancelled_by, cancelled.pending[-1].reason_code) == ("household", "household_request")
    rejected = place([RequestedLine("X", 1)])
    with pytest.raises(Conflict):
        rejected.accept("mer_1", T0)


def test_a_reason_off_the_contract_list_leaves_the_order_as_it_was() -> None:
    import pydantic

    order = place([RequestedLine("RICE-5KG", 1)])
    order.accept("mer_1", T0)
    before = (order.status, len(order.steps), len(order.pending))
    with pytest.raises(pydantic.ValidationError):
        order.cancel("household", "no_such_reason", "stf_1", T0)
    with pytest.raises(pydantic.ValidationError):
        order.fail("no_such_reason", "mer_1", T0)
    assert (order.status, len(order.steps), len(order.pending)) == before


def picked_up(*, in_quarantine: bool) -> Order:
    order = place([RequestedLine("RICE-5KG", 1)], in_quarantine=in_quarantine)
    order.accept("mer_1", T0)
    order.assign("team_1", "stf_9", "stf_1", T0)
    order.pick_up("stf_9", T0)
    return order


def test_the_code_is_kept_only_as_a_hash() -> None:
    order = place([RequestedLine("RICE-5KG", 1)])
    assert order.issued_code == CODE and order.handover_code_hash and CODE not in order.handover_code_hash
    assert CODE not in str(order.pending)


@pytest.mark.parametrize(("proof", "field"), [
    (Proof(), "body.code"), (Proof(code="WRONG234"), "body.code"),
    (Proof(code=CODE, photo_ref="photo_1"), "body.photo_ref"),
])
def test_a_door_delivery_without_its_proof_is_refused_and_nothing_changes(proof: Proof, field: str) -> None:
    order = picked_up(in_quarantine=True)
    before = (order.status, len(order.steps), len(order.pending), order.proof)
    with pytest.raises(InvalidInput) as refused:
        order.deliver("stf_9", T0, proof)
    assert refused.value.field == field
    assert (order.status, len(order.steps), len(order.pending), order.proof) == before


@pytest.mark.parametrize(("proof", "kind", "reference"), [
    (Proof(code="k7qm-2xpa"), "code", None), (Proof(photo_ref="photo_1"), "photo", "photo_1"),
    (Proof(signature_ref="sig_1"), "signature", "sig_1"),
])
def test_a_door_delivery_records_its_proof_and_who_handed_it_over(proof: Proof, kind: str, reference: str | None) -> None:
    order = picked_up(in_quarantine=True)
    order.deliver("stf_9", T0, proof)
    assert order.proof == {"kind": kind, "reference": reference, "by": "stf_9", "at": T0}
    event = order.pending[-1]
    assert (event.proof, event.handed_over_by) == (kind, "stf_9")
    assert "photo_1" not in event.model_dump_json() and "sig_1" not in event.model_dump_json()


@pytest.mark.parametrize("code", [None, "", "WRONG234"])
def test_collecting_takes_the_household_code(code: str | None) -> None:
    order = picked_up(in_quarantine=False)
    order.hand_to_checkpoint("stf_2", T0)
    with pytest.raises(InvalidInput) as refused:
        order.collect("stf_2", T0, code)
    assert refused.value.field == "body.code" and order.status == "handed_to_checkpoint"
    order.collect("stf_2", T0, CODE)
    assert (order.pending[-1].proof, order.pending[-1].handed_over_by) == ("code", "stf_2")


def test_a_merchant_sees_the_same_steps_for_the_door_and_the_checkpoint() -> None:
    door, checkpoint = picked_up(in_quarantine=True), picked_up(in_quarantine=False)
    door.deliver("stf_9", T0, Proof(code=CODE))
    checkpoint.hand_to_checkpoint("stf_2", T0)
    checkpoint.collect("stf_2", T0, CODE)
    assert steps_as_merchant_sees(door.steps) == steps_as_merchant_sees(checkpoint.steps)
    assert [s.status for s in steps_as_merchant_sees(door.steps)] == [
        "placed", "accepted", "assigned", "picked_up", "delivered"]


@pytest.mark.parametrize(("reason", "shown"), [("merchant_unable", True), ("recipient_unreachable", False),
                                               ("not_collected", False), ("checkpoint_closed", False)])
def test_a_merchant_reads_its_own_failure_reason_only(reason: str, shown: bool) -> None:
    order = picked_up(in_quarantine=True)
    order.fail(reason, "stf_9", T0)
    assert steps_as_merchant_sees(order.steps)[-1].reason == (reason if shown else None)


def test_a_shop_that_may_not_sell_is_refused_without_the_household() -> None:
    m = merchant()
    order = Order.place(order_id="ord_1", household_id="hh_1", compound_id=None, merchant_id=m.merchant_id,
                        merchant_allowed=False, price_list=m.price_list_at(T0), requested=[RequestedLine("EGG-30", 1)],
                        channel="phone", placed_by="staff", in_quarantine=None, by="stf_1", now=T0,
                        handover_code=CODE)
    assert (order.status, order.destination, order.checkpoint_id, order.handover_code_hash) == (
        "rejected", None, None, None)
