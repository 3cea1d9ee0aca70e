"""An order: priced from the merchant's in-store list, then a state machine to the door or the
checkpoint. Plain Python, no I/O; each method records the events it causes in ``pending``.

    placed → accepted → assigned → picked_up → delivered              (destination door)
                                             → handed_to_checkpoint → collected   (checkpoint)
    placed / accepted / assigned → cancelled (with who and why)
    accepted / assigned / picked_up / handed_to_checkpoint → failed (with why)

A placed order carries the hash of the household's handover code (``handover``): delivering at the
door takes that code, or a reference to a photo or a signature; collecting at the checkpoint takes
the code. A merchant sees the order without where it goes (``merchant_view``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from towngrid_contracts.delivery import (
    OrderAccepted,
    OrderAssigned,
    OrderCancelled,
    OrderCollected,
    OrderDelivered,
    OrderFailed,
    OrderHandedToCheckpoint,
    OrderPickedUp,
    OrderPlaced,
    OrderRejected,
)
from towngrid_contracts.envelope import EventData
from towngrid_kit.errors import Conflict, InvalidInput

from delivery.domain import handover
from delivery.domain.merchant import PriceList

ACTIVE = ("placed", "accepted", "assigned", "picked_up", "handed_to_checkpoint")
FINAL = ("delivered", "collected", "failed", "cancelled", "rejected")
COMPLETED = ("delivered", "collected")  # handed over: at the door, or collected at the checkpoint
CHANNELS = {"phone": "hotline", "wechat": "wechat", "in_person": "staff_proxy", "online": "online"}
"""The channel an order came in by (as staff say it) → the contract's channel."""


@dataclass(frozen=True)
class RequestedLine:
    sku: str
    quantity: int
    unit_price_cents: int | None = None  # the price quoted to the household; None: the list price


@dataclass(frozen=True)
class OrderLine:
    """A line as priced when the order was placed (the delivery's own type; the contract's
    ``OrderLine`` is built from its fields when an event is recorded)."""

    sku: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class PriceViolation:
    """A line quoted above the merchant's in-store price."""

    sku: str
    unit_price_cents: int
    in_store_price_cents: int


@dataclass(frozen=True)
class Proof:
    """What shows a door delivery happened: the household's handover code, or a reference to a photo
    or a signature kept elsewhere (an opaque id)."""

    code: str | None = None
    photo_ref: str | None = None
    signature_ref: str | None = None


@dataclass
class Step:
    status: str
    by: str
    at: datetime
    reason: str | None = None
    note: str | None = None


@dataclass
class Order:
    order_id: str
    household_id: str
    compound_id: str | None  # None: refused before the household was looked at, and none given
    merchant_id: str
    channel: str
    placed_by: str
    destination: str | None  # door | checkpoint; None: refused before the household was looked at
    checkpoint_id: str | None
    lines: list[OrderLine]
    status: str
    placed_at: datetime
    shopping_list: str | None = None  # as taken on the phone or WeChat; never in an event
    price_list_version: int | None = None
    rejection: dict[str, Any] | None = None
    team_id: str | None = None
    courier_id: str | None = None
    pickup: dict[str, Any] | None = None
    handover_code_hash: str | None = None  # of the household's one-time code; the code is never kept
    proof: dict[str, Any] | None = None  # how the handover was shown (kind, reference), by whom, when
    steps: list[Step] = field(default_factory=list)
    version: int = 0
    pending: list[EventData] = field(default_factory=list)
    issued_code: str | None = field(default=None, repr=False, compare=False)  # only in the answer to placing

    @property
    def total_cents(self) -> int:
        return sum(line.quantity * line.unit_price_cents for line in self.lines)

    # --- placing -------------------------------------------------------------------------

    @classmethod
    def place(
        cls, *, order_id: str, household_id: str, compound_id: str | None, merchant_id: str, merchant_allowed: bool,
        price_list: PriceList | None, requested: list[RequestedLine], channel: str, placed_by: str,
        in_quarantine: bool | None, by: str, now: datetime, shopping_list: str | None = None,
        handover_code: str | None = None,
    ) -> "Order":
        """Price the lines from the list in force; the order is placed or rejected (both recorded).
        ``in_quarantine`` None: the household was not looked at (the merchant may not sell);
        ``handover_code``: the household's one-time code, kept as a hash when the order is placed."""
        destination = None if in_quarantine is None else "door" if in_quarantine else "checkpoint"
        order = cls(
            order_id=order_id, household_id=household_id, compound_id=compound_id, merchant_id=merchant_id,
            channel=CHANNELS[channel], placed_by=placed_by, destination=destination,
            checkpoint_id=checkpoint_of(compound_id) if destination == "checkpoint" and compound_id else None,
            lines=[], status="placed",
            placed_at=now, shopping_list=shopping_list,
            price_list_version=price_list.version if price_list else None,
        )
        products = price_list.products if price_list else {}
        unknown = [r.sku for r in requested if r.sku not in products]
        violations = [
            PriceViolation(sku=r.sku, unit_price_cents=r.unit_price_cents, in_store_price_cents=products[r.sku].price_cents)
            for r in requested
            if r.sku in products and r.unit_price_cents is not None and r.unit_price_cents > products[r.sku].price_cents
        ]
        order.lines = [
            OrderLine(sku=r.sku, quantity=r.quantity,
                      unit_price_cents=r.unit_price_cents if r.unit_price_cents is not None else products[r.sku].price_cents)
            for r in requested if r.sku in products
        ]
        if not merchant_allowed:
            order._reject("merchant_not_open", by, now, detail=f"merchant {merchant_id} holds no valid business-reopening permit")
        elif unknown:
            order._reject("unknown_sku", by, now, unknown_skus=unknown,
                          detail=f"not on the merchant's price list in force: {', '.join(unknown)}")
        elif violations:
            order._reject("price_above_in_store", by, now, violations=violations, detail="; ".join(
                f"{v.sku}: {v.unit_price_cents} cents asked, in-store price {v.in_store_price_cents} cents"
                for v in violations))
        else:
            if handover_code is not None:
                order.handover_code_hash, order.issued_code = handover.digest(handover_code), handover_code
            order.steps.append(Step("placed", by, now))
            order.pending.append(OrderPlaced(
                order_id=order_id, household_id=household_id, compound_id=compound_id, merchant_id=merchant_id,
                channel=order.channel, destination=destination, checkpoint_id=order.checkpoint_id,
                lines=[asdict(line) for line in order.lines], total_cents=order.total_cents, placed_at=now,
                placed_by=placed_by, price_list_version=order.price_list_version,
            ))
        return order

    def _reject(self, reason: str, by: str, now: datetime, *, detail: str, unknown_skus: list[str] | None = None,
                violations: list[PriceViolation] | None = None) -> None:
        self.status = "rejected"
        self.rejection = {
            "reason": reason, "detail": detail, "unknown_skus": unknown_skus or [],
            "price_violations": [asdict(v) for v in violations or []],
        }
        self.steps.append(Step("rejected", by, now, reason=reason))
        self.pending.append(OrderRejected(
            order_id=self.order_id, merchant_id=self.merchant_id, reason=reason,
            price_violations=self.rejection["price_violations"], unknown_skus=unknown_skus or [], rejected_at=now,
        ))

    # --- the lifecycle -------------------------------------------------------------------

    def _check_status(self, to: str, allowed_from: tuple[str, ...]) -> None:
        if self.status not in allowed_from:
            raise Conflict(f"order {self.order_id} is {self.status}; it cannot become {to} "
                           f"(only from {', '.join(allowed_from)})")

    def _move(self, to: str, allowed_from: tuple[str, ...], by: str, at: datetime, reason: str | None = None,
              note: str | None = None) -> None:
        self._check_status(to, allowed_from)
        self.status = to
        self.steps.append(Step(to, by, at, reason=reason, note=note))

    def accept(self, by: str, at: datetime) -> None:
        self._move("accepted", ("placed",), by, at)
        self.pending.append(OrderAccepted(order_id=self.order_id, merchant_id=self.merchant_id, accepted_at=at))

    def assign(self, team_id: str, courier_id: str, by: str, at: datetime) -> None:
        self._move("assigned", ("accepted",), by, at)
        self.team_id, self.courier_id = team_id, courier_id
        self.pending.append(OrderAssigned(order_id=self.order_id, team_id=team_id, courier_id=courier_id, assigned_at=at))

    def pick_up(self, by: str, at: datetime) -> None:
        self._move("picked_up", ("assigned",), by, at)
        self.pending.append(OrderPickedUp(order_id=self.order_id, courier_id=self.courier_id or by, picked_up_at=at))

    def deliver(self, by: str, at: datetime, proof: Proof) -> None:
        """Handed over at the door, shown by the household's code, or a photo or a signature."""
        if self.destination != "door":
            raise Conflict(f"order {self.order_id} goes to checkpoint {self.checkpoint_id}, not to the door: hand it to the checkpoint")
        self._check_status("delivered", ("picked_up",))
        given = {k: v for k, v in (("code", proof.code), ("photo_ref", proof.photo_ref),
                                   ("signature_ref", proof.signature_ref)) if v is not None}
        if not given:
            raise InvalidInput("give the proof of delivery: the household's handover code (code), "
                               "or a reference to a photo (photo_ref) or a signature (signature_ref)", field="body.code")
        if len(given) > 1:
            extra = list(given)[1]
            raise InvalidInput(f"give one proof of delivery, not {' and '.join(given)}", field=f"body.{extra}")
        kind = next(iter(given))
        if kind == "code":
            self._check_code(proof.code)
        self._move("delivered", ("picked_up",), by, at)
        self.proof = {"kind": kind.removesuffix("_ref"), "reference": None if kind == "code" else given[kind],
                      "by": by, "at": at}
        self.pending.append(OrderDelivered(order_id=self.order_id, household_id=self.household_id,
                                           courier_id=self.courier_id or by, delivered_at=at,
                                           proof=self.proof["kind"], handed_over_by=by))

    def _check_code(self, code: str | None) -> None:
        """The household's code, or InvalidInput naming ``body.code`` (nothing changes)."""
        if not code:
            raise InvalidInput("give the household's handover code", field="body.code")
        if self.handover_code_hash is None:
            raise InvalidInput(f"order {self.order_id} has no handover code", field="body.code")
        if not handover.matches(code, self.handover_code_hash):
            raise InvalidInput("the handover code does not match this order's", field="body.code")

    def check_can_hand_to_checkpoint(self) -> None:
        if self.destination != "checkpoint" or self.checkpoint_id is None:
            raise Conflict(f"order {self.order_id} goes to the household's door, not to a checkpoint")
        if self.status != "picked_up":
            raise Conflict(f"order {self.order_id} is {self.status}; only a picked-up order can be handed over")

    def hand_to_checkpoint(self, by: str, at: datetime, pickup: dict[str, Any] | None = None) -> None:
        """``pickup``: where and when the household collects it (slot_id, from, until)."""
        if self.destination != "checkpoint" or self.checkpoint_id is None:
            raise Conflict(f"order {self.order_id} goes to the household's door, not to a checkpoint")
        self._move("handed_to_checkpoint", ("picked_up",), by, at)
        self.pickup = pickup
        self.pending.append(OrderHandedToCheckpoint(
            order_id=self.order_id, checkpoint_id=self.checkpoint_id, received_by=by, handed_at=at,
            pickup_slot_id=(pickup or {}).get("slot_id"), collect_from=(pickup or {}).get("from"),
            collect_until=(pickup or {}).get("until"),
        ))

    def collect(self, by: str, at: datetime, code: str | None) -> None:
        """The household collected it at the checkpoint, showing its handover code."""
        self._check_status("collected", ("handed_to_checkpoint",))
        self._check_code(code)
        self._move("collected", ("handed_to_checkpoint",), by, at)
        assert self.checkpoint_id is not None
        self.proof = {"kind": "code", "reference": None, "by": by, "at": at}
        self.pending.append(OrderCollected(order_id=self.order_id, checkpoint_id=self.checkpoint_id,
                                           household_id=self.household_id, collected_at=at,
                                           proof="code", handed_over_by=by))

    def fail(self, reason: str, by: str, at: datetime, note: str | None = None) -> None:
        event = OrderFailed(order_id=self.order_id, reason=reason, failed_at=at)  # a reason off the list fails here,
        self._move("failed", ("accepted", "assigned", "picked_up", "handed_to_checkpoint"), by, at, reason, note)
        self.pending.append(event)  # before the order changed

    def cancel(self, cancelled_by: str, reason: str, by: str, at: datetime, note: str | None = None) -> None:
        event = OrderCancelled(order_id=self.order_id, cancelled_by=cancelled_by, reason_code=reason, cancelled_at=at)
        self._move("cancelled", ("placed", "accepted", "assigned"), by, at, reason, note)
        self.pending.append(event)

    @property
    def holds_team_slot(self) -> bool:
        return self.status in ("assigned", "picked_up")


def checkpoint_of(compound_id: str) -> str:
    """Each compound has one checkpoint at its gate, named after it (``C03-017`` → ``CP-C03-017``)."""
    return f"CP-{compound_id}"
