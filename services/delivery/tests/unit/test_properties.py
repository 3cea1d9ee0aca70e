"""Properties (Hypothesis): an order moves only along its state machine whatever commands it gets
(a refused command changes nothing; a final state is final), and relief stock never goes negative
whatever receipts and parcels come."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from towngrid_contracts.delivery.order import CancelledBy, CancelReason, FailureReason
from towngrid_kit.errors import Conflict, DomainError, InvalidInput
from delivery.domain.merchant import Merchant, Product
from delivery.domain.order import ACTIVE, FINAL, Order, Proof, RequestedLine
from delivery.domain.relief import receive, take

T0 = datetime(2020, 2, 14, 2, 0, tzinfo=UTC)
# The order's state machine as its docstring draws it: status → the statuses it may become.
NEXT = {
    "placed": {"accepted", "cancelled"},
    "accepted": {"assigned", "cancelled", "failed"},
    "assigned": {"picked_up", "cancelled", "failed"},
    "picked_up": {"delivered", "handed_to_checkpoint", "failed"},
    "handed_to_checkpoint": {"collected", "failed"},
    **{final: set() for final in FINAL},
}


def merchant() -> Merchant:
    m = Merchant.register("mer_1", "城关超市", "supermarket", "C03", T0)
    m.publish_price_list([Product("RICE-5KG", "大米 5kg", "bag", 3290)], T0, T0)
    return m


class OrderMachine(RuleBasedStateMachine):
    @initialize(in_quarantine=st.booleans(), allowed=st.booleans(), sku=st.sampled_from(["RICE-5KG", "NOPE"]),
                price=st.one_of(st.none(), st.integers(1, 5000)))
    def place(self, in_quarantine: bool, allowed: bool, sku: str, price: int | None) -> None:
        m = merchant()
        self.order = Order.place(order_id="ord_1", household_id="hh_1", compound_id="C03-017",
                                 merchant_id=m.merchant_id, merchant_allowed=allowed, price_list=m.price_list_at(T0),
                                 requested=[RequestedLine(sku, 1, price)], channel="phone", placed_by="staff",
                                 in_quarantine=in_quarantine, by="stf_1", now=T0, handover_code="K7QM2XPA")
        self.clock = T0
        valid = allowed and sku == "RICE-5KG" and (price is None or price <= 3290)
        assert self.order.status == ("placed" if valid else "rejected")

    def attempt(self, command, bad_proof: bool = False) -> None:  # noqa: ANN001
        """Refused for the order's state: a Conflict; with a missing or wrong handover code
        (``bad_proof``) it may be bad input instead, naming the field. Either way nothing changes."""
        before = copy.deepcopy(self.order)
        self.clock += timedelta(minutes=1)
        try:
            command(self.clock)
        except DomainError as refused:
            bad_input = isinstance(refused, InvalidInput) and refused.field is not None
            assert isinstance(refused, Conflict) or (bad_proof and bad_input), repr(refused)
            assert self.order == before, "a refused command changed the order"
            return
        assert self.order.status in NEXT[before.status], f"{before.status} → {self.order.status}"
        assert len(self.order.pending) == len(before.pending) + 1, "a transition records exactly one event"

    @rule()
    def accept(self) -> None:
        self.attempt(lambda at: self.order.accept("mer_staff", at))

    @rule()
    def assign(self) -> None:
        self.attempt(lambda at: self.order.assign("team_1", "cou_1", "stf_1", at))

    @rule()
    def pick_up(self) -> None:
        self.attempt(lambda at: self.order.pick_up("cou_1", at))

    @rule(code=st.sampled_from(["K7QM2XPA", "WRONG234", None]))
    def deliver(self, code: str | None) -> None:
        self.attempt(lambda at: self.order.deliver("cou_1", at, Proof(code=code)), bad_proof=code != "K7QM2XPA")

    @rule()
    def hand_over(self) -> None:
        self.attempt(lambda at: self.order.hand_to_checkpoint("cp_staff", at))

    @rule(code=st.sampled_from(["K7QM2XPA", "WRONG234", None]))
    def collect(self, code: str | None) -> None:
        self.attempt(lambda at: self.order.collect("cp_staff", at, code), bad_proof=code != "K7QM2XPA")

    @rule(reason=st.sampled_from(get_args(FailureReason)))
    def fail(self, reason: str) -> None:
        self.attempt(lambda at: self.order.fail(reason, "cou_1", at))

    @rule(who=st.sampled_from(get_args(CancelledBy)), reason=st.sampled_from(get_args(CancelReason)))
    def cancel(self, who: str, reason: str) -> None:
        self.attempt(lambda at: self.order.cancel(who, reason, "stf_1", at))

    @invariant()
    def history_follows_the_machine(self) -> None:
        statuses = [step.status for step in self.order.steps]
        for before, after in zip(statuses, statuses[1:]):
            assert after in NEXT[before], f"{before} → {after}"
        assert (statuses[-1] if statuses else self.order.status) == self.order.status
        assert self.order.status in ACTIVE or self.order.status in FINAL

    @invariant()
    def the_door_and_the_checkpoint_do_not_mix(self) -> None:
        if self.order.destination == "door":
            assert self.order.status not in ("handed_to_checkpoint", "collected")
        else:
            assert self.order.status != "delivered"

    @invariant()
    def a_team_slot_only_while_on_the_way(self) -> None:
        assert self.order.holds_team_slot == (self.order.status in ("assigned", "picked_up"))


TestOrderMachine = OrderMachine.TestCase
TestOrderMachine.settings = settings(max_examples=100, stateful_step_count=20, deadline=None)

ITEMS = ["rice", "oil", "flour"]
quantities = st.dictionaries(st.sampled_from(ITEMS), st.integers(-3, 20), max_size=3)


@settings(max_examples=300)
@given(operations=st.lists(st.tuples(st.sampled_from(["receive", "take"]), quantities), max_size=30))
def test_relief_stock_never_goes_negative(operations: list[tuple[str, dict[str, int]]]) -> None:
    balance: dict[str, int] = {}
    received = {item: 0 for item in ITEMS}
    taken = {item: 0 for item in ITEMS}
    for kind, items in operations:
        before = dict(balance)
        if kind == "take":
            items = {k: v for k, v in items.items() if v > 0}  # parcel contents are positive (validated upstream)
        try:
            balance = receive(balance, items) if kind == "receive" else take(balance, items)
        except (Conflict, InvalidInput):
            assert balance == before
            if kind == "take":
                assert any(before.get(k, 0) < v for k, v in items.items())
            continue
        for item, qty in items.items():
            (received if kind == "receive" else taken)[item] += qty
        assert all(qty >= 0 for qty in balance.values()), balance
    assert balance == {item: received[item] - taken[item] for item in balance}


@pytest.mark.parametrize("items", [{}, {"rice": 0}, {"rice": -1}, {"rice": 2, "oil": 0}])
def test_a_receipt_of_nothing_or_a_negative_quantity_is_refused(items: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        receive({"rice": 1}, items)
