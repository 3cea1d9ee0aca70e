"""Builds the delivery service's dependencies once; tests may pass their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.grid import GridDirectory

from delivery.adapters.projections import Households, MerchantPermits
from delivery.adapters.repository import (
    MERCHANTS,
    ORDERS,
    PARCELS,
    MerchantRepository,
    OrderRepository,
    ParcelRepository,
)
from delivery.adapters.pickup import PickupSlots
from delivery.adapters.relief import STOCK, ReliefLedger, ReliefRecipients, StockRepository
from delivery.adapters.teams import Teams
from delivery.config import DeliverySettings
from delivery.service.figures import DeliveryFigures
from delivery.service.merchants import MerchantService
from delivery.service.orders import OrderService
from delivery.service.pickup import PickupService
from delivery.service.relief import ReliefService
from delivery.service.teams import TeamService

AGGREGATE_STORES = [MERCHANTS, ORDERS, PARCELS, STOCK]


@dataclass
class Services:
    merchants: MerchantService
    orders: OrderService
    relief: ReliefService
    teams: TeamService
    pickup: PickupService
    grid: GridDirectory
    figures: DeliveryFigures


async def build_services(db: AsyncDatabase, settings: DeliverySettings) -> Services:
    merchants, orders = MerchantRepository(db), OrderRepository(db)
    permits, households, teams, slots = MerchantPermits(db), Households(db), Teams(db), PickupSlots(db)
    recipients, ledger, stock, parcels = ReliefRecipients(db), ReliefLedger(db), StockRepository(db), ParcelRepository(db)
    grid = GridDirectory(db)
    for part in (merchants, orders, permits, households, teams, slots, recipients, ledger, stock, parcels, grid):
        await part.ensure_indexes()
    for migrated in (merchants, orders, parcels, stock, teams, slots):  # once each, after the indexes
        await migrated.migrate()
    relief = ReliefService(recipients, ledger, stock, parcels, settings.relief_parcel_contents)
    return Services(
        merchants=MerchantService(merchants, permits),
        orders=OrderService(orders, merchants, permits, households, teams, slots,
                            pickup_hold=timedelta(hours=settings.pickup_hold_hours)),
        relief=relief,
        teams=TeamService(teams),
        pickup=PickupService(slots),
        grid=grid,
        figures=DeliveryFigures(merchants, permits, orders, parcels, relief),
    )
