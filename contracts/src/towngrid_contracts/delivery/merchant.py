"""Events about one merchant (a supermarket, shop or market stall) and its in-store price list.

Keyed by ``merchant_id`` on ``delivery.merchant.v1``. The merchant id is the same opaque id a
business-reopening permit names. A price list is published as a whole, as a new version with
the time from which it is in force; orders are priced from the version in force when placed.
Products are named by ``sku`` only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.topics import topic_name

MERCHANT_TOPIC = topic_name("delivery", "merchant")

MerchantKind = Literal["supermarket", "shop", "market_stall", "platform"]


class PriceListItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: Id
    unit: Id = Field(description="Unit of sale, e.g. kg, bag, piece.")
    price_cents: int = Field(ge=0, description="The in-store price per unit, integer cents.")


class _MerchantEvent(EventData, topic=MERCHANT_TOPIC):
    merchant_id: Id = Field(description="Opaque merchant id (the aggregate id).")


class MerchantRegistered(_MerchantEvent, event_type="delivery.merchant.registered"):
    kind: MerchantKind
    community_id: Id | None = None
    registered_at: AwareDatetime


class PriceListPublished(_MerchantEvent, event_type="delivery.merchant.price_list_published"):
    """A new version of the merchant's in-store price list, in force from ``effective_from``."""

    price_list_version: int = Field(ge=1)
    effective_from: AwareDatetime
    items: list[PriceListItem] = Field(min_length=1)
    published_at: AwareDatetime
