"""Builds the delivery service's dependencies once; tests may pass their own."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from delivery.adapters.projections import Households, MerchantPermits
from delivery.adapters.repository import MERCHANTS, ORDERS, MerchantRepository, OrderRepository
from delivery.adapters.teams import Teams
from delivery.service.merchants import MerchantService
from delivery.service.orders import OrderService

AGGREGATE_STORES = [MERCHANTS, ORDERS]


@dataclass
class Services:
    merchants: MerchantService
    orders: OrderService


async def build_services(db: AsyncDatabase) -> Services:
    merchants, orders = MerchantRepository(db), OrderRepository(db)
    permits, households, teams = MerchantPermits(db), Households(db), Teams(db)
    for part in (merchants, orders, permits, households, teams):
        await part.ensure_indexes()
    return Services(
        merchants=MerchantService(merchants, permits),
        orders=OrderService(orders, merchants, permits, households, teams),
    )
