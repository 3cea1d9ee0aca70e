"""A merchant and its versioned in-store price lists. Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_contracts.delivery import MerchantRegistered, PriceListPublished
from towngrid_contracts.envelope import EventData
from towngrid_kit.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Product:
    sku: str
    name: str  # the product's name stays here; events name products by sku only
    unit: str
    price_cents: int


@dataclass
class PriceList:
    version: int
    effective_from: datetime
    published_at: datetime
    products: dict[str, Product]


@dataclass
class Merchant:
    merchant_id: str
    name: str
    kind: str
    community_id: str | None
    registered_at: datetime
    version: int = 0
    price_lists: list[PriceList] = field(default_factory=list)
    pending: list[EventData] = field(default_factory=list)

    @classmethod
    def register(cls, merchant_id: str, name: str, kind: str, community_id: str | None, at: datetime) -> "Merchant":
        merchant = cls(merchant_id=merchant_id, name=name, kind=kind, community_id=community_id, registered_at=at)
        merchant.pending.append(
            MerchantRegistered(merchant_id=merchant_id, kind=kind, community_id=community_id, registered_at=at)
        )
        return merchant

    def publish_price_list(self, products: list[Product], effective_from: datetime, now: datetime) -> PriceList:
        if not products:
            raise InvalidInput("a price list needs at least one item", field="body.items")
        skus = [p.sku for p in products]
        if len(set(skus)) != len(skus):
            duplicate = next(s for s in skus if skus.count(s) > 1)
            raise InvalidInput(f"sku {duplicate} appears twice", field="body.items")
        if self.price_lists and effective_from < self.price_lists[-1].effective_from:
            raise Conflict(
                f"a newer price list (version {self.price_lists[-1].version}) is in force from "
                f"{self.price_lists[-1].effective_from.isoformat()}; a new one cannot start earlier"
            )
        listed = PriceList(
            version=len(self.price_lists) + 1, effective_from=effective_from, published_at=now,
            products={p.sku: p for p in products},
        )
        self.price_lists.append(listed)
        self.pending.append(PriceListPublished(
            merchant_id=self.merchant_id, price_list_version=listed.version, effective_from=effective_from,
            items=[{"sku": p.sku, "unit": p.unit, "price_cents": p.price_cents} for p in products],
            published_at=now,
        ))
        return listed

    def price_list_at(self, when: datetime) -> PriceList | None:
        """The version in force at ``when``: the latest whose ``effective_from`` is not after it."""
        in_force = [p for p in self.price_lists if p.effective_from <= when]
        return in_force[-1] if in_force else None
