"""Use cases of merchants and their price lists: load, call the domain, save."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import Conflict, NotFound

from delivery.adapters.projections import MerchantPermits
from delivery.adapters.repository import MerchantRepository
from delivery.domain.merchant import Merchant, PriceList, Product


def new_id(prefix: str) -> str:
    """An opaque id that sorts by creation time (milliseconds, then random)."""
    return f"{prefix}_{int(time.time() * 1000):012x}{uuid.uuid4().hex[:16]}"


class MerchantService:
    def __init__(self, repository: MerchantRepository, permits: MerchantPermits) -> None:
        self._repo = repository
        self.permits = permits
        self._locks = KeyedLocks()

    async def register(self, merchant_id: str | None, name: str, kind: str, community_id: str | None) -> Merchant:
        merchant_id = merchant_id or new_id("mer")
        if await self._repo.get(merchant_id) is not None:
            raise Conflict(f"merchant {merchant_id} is already registered")
        merchant = Merchant.register(merchant_id, name, kind, community_id, datetime.now(UTC))
        await self._repo.save(merchant)  # a racing registration of the same id: ConcurrentModification (409)
        return merchant

    async def get(self, merchant_id: str) -> Merchant:
        merchant = await self._repo.get(merchant_id)
        if merchant is None:
            raise NotFound(f"no merchant {merchant_id}")
        return merchant

    async def publish_price_list(self, merchant_id: str, products: list[Product],
                                 effective_from: datetime | None) -> tuple[Merchant, PriceList]:
        tries = 0

        async def attempt() -> tuple[Merchant, PriceList]:
            nonlocal tries
            tries += 1
            merchant = await self._repo.get(merchant_id, authoritative=tries > 1)
            if merchant is None:
                raise NotFound(f"no merchant {merchant_id}")
            now = datetime.now(UTC)
            listed = merchant.publish_price_list(products, effective_from or now, now)
            await self._repo.save(merchant)
            return merchant, listed

        async with self._locks.hold(merchant_id):
            return await retry_on_conflict(attempt)

    async def allowed_to_sell(self, merchant_id: str, at: datetime | None = None) -> bool:
        return await self.permits.allowed(merchant_id, at or datetime.now(UTC))

    async def page(self, after: str | None, limit: int) -> list[Merchant]:
        return await self._repo.page(after, limit)
