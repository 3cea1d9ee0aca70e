"""The delivery api's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from delivery.domain.merchant import Merchant, PriceList
from delivery.domain.merchant_view import as_merchant_sees, steps_as_merchant_sees
from delivery.domain.order import Order

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-:.]+$")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Cents = Annotated[int, Field(ge=0, le=100_000_000, description="Integer cents (1 yuan = 100).")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterMerchant(_Body):
    merchant_id: Id | None = Field(default=None, description="The id its business-reopening permit names; new if absent.")
    name: Text
    kind: Literal["supermarket", "shop", "market_stall", "platform"]
    community_id: Id | None = None


class PriceItem(_Body):
    sku: Id
    name: Text
    unit: Annotated[str, Field(min_length=1, max_length=20)]
    price_cents: Cents


class PublishPriceList(_Body):
    effective_from: AwareDatetime | None = Field(default=None, description="In force from (default: now).")
    items: list[PriceItem] = Field(min_length=1, max_length=2000)


class OrderLineIn(_Body):
    sku: Id
    quantity: int = Field(ge=1, le=1000)
    unit_price_cents: Cents | None = Field(default=None, description="The price quoted; default the in-store price.")


class PlaceOrderBody(_Body):
    merchant_id: Id
    household_id: Id
    compound_id: Id | None = Field(default=None, description="Needed only if the registry has not told us the household.")
    channel: Literal["phone", "wechat", "in_person", "online"]
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)
    shopping_list: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="The shopping list as taken on the phone or WeChat (kept here, never published).")


class AssignBody(_Body):
    team_id: Id
    courier_id: Id


class FailBody(_Body):
    reason: Literal["recipient_unreachable", "not_collected", "merchant_unable", "checkpoint_closed", "other"]
    note: Annotated[str, Field(max_length=500)] | None = None


Code = Annotated[str, Field(min_length=8, max_length=12, pattern=r"^[A-Za-z0-9\- ]+$",
                            description="The household's handover code, given with the order when it was placed.")]


class DeliverBody(_Body):
    """One proof of the handover at the door."""

    code: Code | None = None
    photo_ref: Id | None = Field(default=None, description="An opaque reference to a photo of the handover kept elsewhere.")
    signature_ref: Id | None = Field(default=None, description="An opaque reference to the household's signature kept elsewhere.")


class CollectBody(_Body):
    code: Code


class CancelBody(_Body):
    cancelled_by: Literal["household", "merchant", "staff"]
    reason: Literal["household_request", "merchant_out_of_stock", "duplicate_order", "household_left", "other"]
    note: Annotated[str, Field(max_length=500)] | None = None


class CreateTeam(_Body):
    team_id: Id | None = None
    community_id: Id
    capacity: int = Field(ge=1, le=500, description="Orders the team can have in hand at once.")
    members: list[Id] = Field(min_length=1, max_length=100, description="Opaque staff ids.")


class ProductView(BaseModel):
    sku: str
    name: str
    unit: str
    price_cents: int


class PriceListView(BaseModel):
    version: int
    effective_from: datetime
    published_at: datetime
    items: list[ProductView]

    @classmethod
    def of(cls, p: PriceList) -> "PriceListView":
        return cls(version=p.version, effective_from=p.effective_from, published_at=p.published_at,
                   items=[ProductView(**vars(x)) for x in p.products.values()])


class MerchantView(BaseModel):
    merchant_id: str
    name: str
    kind: str
    community_id: str | None
    registered_at: datetime
    allowed_to_sell: bool = Field(description="Holds an issued, valid business-reopening permit now.")
    price_list_versions: int
    current_price_list: PriceListView | None

    @classmethod
    def of(cls, m: Merchant, allowed: bool, now: datetime) -> "MerchantView":
        current = m.price_list_at(now)
        return cls(merchant_id=m.merchant_id, name=m.name, kind=m.kind, community_id=m.community_id,
                   registered_at=m.registered_at, allowed_to_sell=allowed, price_list_versions=len(m.price_lists),
                   current_price_list=PriceListView.of(current) if current else None)


class LineView(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int


class StepView(BaseModel):
    status: str
    by: str | None = Field(description="Who took the step (not shown to merchants).")
    at: datetime
    reason: str | None = None
    note: str | None = None


class ProofView(BaseModel):
    kind: Literal["code", "photo", "signature"]
    reference: str | None
    by: str
    at: datetime


class OrderView(BaseModel):
    """An order. A merchant's token sees it without where it goes or anything that tells it
    (destination, checkpoint, pickup, proof, version, who took each step: all null; handed to the
    checkpoint reads as picked up, collected as delivered)."""

    order_id: str
    status: str
    household_id: str
    compound_id: str | None
    merchant_id: str
    channel: str
    placed_by: str
    destination: Literal["door", "checkpoint"] | None
    checkpoint_id: str | None
    lines: list[LineView]
    total_cents: int
    price_list_version: int | None
    shopping_list: str | None
    rejection: dict[str, Any] | None
    team_id: str | None
    courier_id: str | None
    pickup: dict[str, Any] | None
    proof: ProofView | None = Field(description="How the handover was shown, by whom, when.")
    steps: list[StepView]
    version: int | None
    handover_code: str | None = Field(default=None, description=(
        "Only in the answer to placing the order: the household's one-time code, to be told to the "
        "household; it shows it at the door or at the checkpoint. Never shown again, not even in a "
        "replay of the same Idempotency-Key (only its hash is kept)."))

    @classmethod
    def of(cls, o: Order) -> "OrderView":
        """As staff see it."""
        return cls(
            order_id=o.order_id, status=o.status, household_id=o.household_id, compound_id=o.compound_id,
            merchant_id=o.merchant_id, channel=o.channel, placed_by=o.placed_by, destination=o.destination,
            checkpoint_id=o.checkpoint_id,
            lines=[LineView(sku=x.sku, quantity=x.quantity, unit_price_cents=x.unit_price_cents) for x in o.lines],
            total_cents=o.total_cents, price_list_version=o.price_list_version, shopping_list=o.shopping_list,
            rejection=o.rejection, team_id=o.team_id, courier_id=o.courier_id, pickup=o.pickup,
            proof=ProofView(**o.proof) if o.proof else None,
            steps=[StepView(**vars(s)) for s in o.steps], version=o.version, handover_code=o.issued_code,
        )

    @classmethod
    def for_merchant(cls, o: Order) -> "OrderView":
        """As a merchant sees it: nothing that differs between the door and the checkpoint."""
        return cls.of(o).model_copy(update={
            "status": as_merchant_sees(o.status), "destination": None, "checkpoint_id": None, "pickup": None,
            "proof": None, "version": None,
            "steps": [StepView(status=s.status, by=None, at=s.at, reason=s.reason) for s in steps_as_merchant_sees(o.steps)],
        })


class TeamView(BaseModel):
    team_id: str
    community_id: str
    capacity: int
    members: list[str]
    in_hand: int = Field(description="Orders assigned to the team and not yet delivered or handed over.")


class CreateSlot(_Body):
    from_: AwareDatetime = Field(alias="from", description="The household may collect from...")
    until: AwareDatetime = Field(description="...until (later, an uncollected parcel is flagged).")
    capacity: int = Field(ge=1, le=10_000, description="Parcels the slot can hold.")


class SlotView(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    slot_id: str
    checkpoint_id: str
    from_: datetime = Field(alias="from")
    until: datetime
    capacity: int
    booked: int
