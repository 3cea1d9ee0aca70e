"""Events about one order, from placement to delivery, collection, failure or cancellation.

Keyed by ``order_id`` on ``delivery.order.v1``. Money is integer cents (``*_cents``), never a
float. An order goes to the household's door (quarantined households) or to its compound's
checkpoint, which serves as the pickup point. Lines name products by ``sku`` only.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

ORDER_TOPIC = topic_name("delivery", "order")

DestinationKind = Literal["door", "checkpoint"]
OrderChannel = Literal["online", "hotline", "wechat", "staff_proxy"]
RejectionReason = Literal[
    "merchant_not_open", "price_above_in_store", "unknown_sku", "out_of_stock", "other"
]
FailureReason = Literal[
    "recipient_unreachable", "not_collected", "merchant_unable", "checkpoint_closed", "other"
]
DeliveryProof = Literal["code", "photo", "signature"]
CancelledBy = Literal["household", "merchant", "staff"]
PlacedBy = Literal["staff", "resident", "platform"]
CancelReason = Literal[
    "household_request", "merchant_out_of_stock", "duplicate_order", "household_left", "other"
]


class OrderLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: Id
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0)


class PriceViolation(BaseModel):
    """A line priced above the merchant's in-store price."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: Id
    unit_price_cents: int = Field(ge=0, description="The price on the order.")
    in_store_price_cents: int = Field(ge=0, description="The merchant's in-store price.")


class _OrderEvent(EventData, topic=ORDER_TOPIC):
    order_id: Id = Field(description="Opaque order id (the aggregate id).")


class OrderPlaced(_OrderEvent, event_type="delivery.order.placed"):
    """An order came in; ``checkpoint_id`` is set when the destination is a checkpoint."""

    household_id: Id
    compound_id: Id
    merchant_id: Id
    channel: OrderChannel
    destination: DestinationKind
    checkpoint_id: Id | None = None
    lines: list[OrderLine] = Field(min_length=1)
    total_cents: int = Field(ge=0, description="Sum of quantity x unit_price_cents over lines.")
    placed_at: AwareDatetime
    placed_by: PlacedBy | None = Field(
        default=None, description="Who took the order: staff (proxy shopping), the resident, or a platform."
    )
    price_list_version: int | None = Field(
        default=None, ge=1, description="The merchant's price list version in force when placed."
    )

    @model_validator(mode="after")
    def _checkpoint_iff_pickup(self) -> Self:
        if (self.destination == "checkpoint") != (self.checkpoint_id is not None):
            raise ValueError("checkpoint_id is set exactly when destination is 'checkpoint'")
        return self


class OrderRejected(_OrderEvent, event_type="delivery.order.rejected"):
    """The order was refused; for ``price_above_in_store``, ``price_violations`` lists the lines."""

    merchant_id: Id
    reason: RejectionReason
    price_violations: list[PriceViolation] = Field(default_factory=list)
    rejected_at: AwareDatetime
    unknown_skus: list[str] = Field(
        default_factory=list, description="For ``unknown_sku``: the SKUs not on the price list in force."
    )


class OrderAccepted(_OrderEvent, event_type="delivery.order.accepted"):
    merchant_id: Id
    accepted_at: AwareDatetime


class OrderAssigned(_OrderEvent, event_type="delivery.order.assigned"):
    """A service team (and one of its members) takes the order."""

    team_id: Id
    courier_id: StaffId
    assigned_at: AwareDatetime


class OrderPickedUp(_OrderEvent, event_type="delivery.order.picked_up"):
    courier_id: StaffId
    picked_up_at: AwareDatetime


class OrderDelivered(_OrderEvent, event_type="delivery.order.delivered"):
    """Handed over at the household's door."""

    household_id: Id
    courier_id: StaffId
    delivered_at: AwareDatetime
    proof: DeliveryProof | None = Field(default=None, description=(
        "How the handover was shown: the household's one-time code, a photo or a signature "
        "(the code and any reference stay with delivery)."))
    handed_over_by: Id | None = Field(default=None, description="Opaque staff id.")


class OrderHandedToCheckpoint(_OrderEvent, event_type="delivery.order.handed_to_checkpoint"):
    """Left at the compound's checkpoint for the household to collect."""

    checkpoint_id: Id
    received_by: StaffId = Field(description="Opaque staff id on duty.")
    handed_at: AwareDatetime
    pickup_slot_id: Id | None = Field(default=None, description="The collection slot booked.")
    collect_from: AwareDatetime | None = Field(default=None, description="The household may collect from then...")
    collect_until: AwareDatetime | None = Field(default=None, description="...until then; later it is flagged uncollected.")


class OrderCollected(_OrderEvent, event_type="delivery.order.collected"):
    checkpoint_id: Id
    household_id: Id
    collected_at: AwareDatetime
    proof: DeliveryProof | None = Field(default=None, description="How the household showed it was theirs: its code.")
    handed_over_by: Id | None = Field(default=None, description="Opaque staff id on duty.")


class OrderFailed(_OrderEvent, event_type="delivery.order.failed"):
    reason: FailureReason
    failed_at: AwareDatetime


class OrderCancelled(_OrderEvent, event_type="delivery.order.cancelled"):
    cancelled_by: CancelledBy
    cancelled_at: AwareDatetime
    reason_code: CancelReason | None = Field(default=None, description="Why it was cancelled.")
