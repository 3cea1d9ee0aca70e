"""The figures the town reports of delivery: merchants registered and open, orders by status,
relief parcels issued and delivered, the relief stock on hand. Town-wide counts, no personal data;
counted on the query fields (no state decoded)."""

from __future__ import annotations

from typing import Any

from towngrid_kit.ids import utcnow

from delivery.adapters.projections import MerchantPermits
from delivery.adapters.repository import MerchantRepository, OrderRepository, ParcelRepository
from delivery.domain.order import COMPLETED
from delivery.service.relief import ReliefService


class DeliveryFigures:
    def __init__(self, merchants: MerchantRepository, permits: MerchantPermits, orders: OrderRepository,
                 parcels: ParcelRepository, relief: ReliefService) -> None:
        self._merchants, self._permits, self._orders = merchants, permits, orders
        self._parcels, self._relief = parcels, relief

    async def now(self) -> dict[str, Any]:
        orders = await self._orders.count_by("status", {})
        parcels = await self._parcels.count_by("status", {})
        stock, _ = await self._relief.stock_balance()
        open_ids = await self._permits.holding_issued()
        return {
            "as_of": utcnow(),
            "merchants_registered": await self._merchants.count({}),
            "merchants_open": await self._merchants.count({"_id": {"$in": open_ids}}) if open_ids else 0,
            "orders_placed": sum(orders.values()),
            "orders_by_status": dict(sorted(orders.items())),
            "orders_completed": sum(orders.get(status, 0) for status in COMPLETED),
            "relief_parcels_issued": sum(parcels.values()),
            "relief_parcels_delivered": parcels.get("delivered", 0),
            "relief_stock": dict(sorted(stock.items())),
        }
