"""Use cases of merchants and their price lists: load, call the domain, save."""

from __future__ import annotations

from datetime import datetime

from towngrid_kit.errors import Conflict
from towngrid_kit.ids import utcnow
from towngrid_kit.unit_of_work import UnitOfWork

from delivery.adapters.projections import MerchantPermits
from delivery.adapters.repository import MerchantRepository
from delivery.domain.merchant import Merchant, PriceList, Product
from towngrid_kit.ids import ordered_id


class MerchantService:
    def __init__(self, repository: MerchantRepository, permits: MerchantPermits) -> None:
        self._merchants = UnitOfWork(repository, "merchant")
        self.permits = permits

    async def register(self, merchant_id: str | None, name: str, kind: str, community_id: str | None) -> Merchant:
        merchant_id = merchant_id or ordered_id("mer")
        if await self._merchants.repo.get(merchant_id) is not None:
            raise Conflict(f"merchant {merchant_id} is already registered")
        # a racing registration of the same id: ConcurrentModification (409)
        return await self._merchants.add(Merchant.register(merchant_id, name, kind, community_id, utcnow()))

    async def get(self, merchant_id: str) -> Merchant:
        return await self._merchants.get(merchant_id)

    async def publish_price_list(self, merchant_id: str, products: list[Product],
                                 effective_from: datetime | None) -> tuple[Merchant, PriceList]:
        def publish(merchant: Merchant) -> None:
            now = utcnow()
            merchant.publish_price_list(products, effective_from or now, now)

        merchant = await self._merchants.change(merchant_id, publish)
        return merchant, merchant.price_lists[-1]  # the one just published

    async def allowed_to_sell(self, merchant_id: str, at: datetime | None = None) -> bool:
        return await self.permits.allowed(merchant_id, at or utcnow())

    async def page(self, after: str | None, limit: int) -> list[Merchant]:
        return await self._merchants.repo.find({}, after=after, limit=limit)
