"""Events published by the delivery service (only the delivery service edits this package)."""

from towngrid_contracts.delivery.order import (
    ORDER_TOPIC,
    OrderAccepted,
    OrderAssigned,
    OrderCancelled,
    OrderCollected,
    OrderDelivered,
    OrderFailed,
    OrderHandedToCheckpoint,
    OrderLine,
    OrderPickedUp,
    OrderPlaced,
    OrderRejected,
    PriceViolation,
)
from towngrid_contracts.delivery.merchant import (
    MERCHANT_TOPIC,
    MerchantRegistered,
    PriceListItem,
    PriceListPublished,
)
from towngrid_contracts.delivery.relief_parcel import RELIEF_PARCEL_TOPIC, ReliefParcelDelivered, ReliefParcelIssued
from towngrid_contracts.delivery.relief_stock import RELIEF_STOCK_TOPIC, ReliefStockMoved

EVENTS = (
    OrderPlaced,
    OrderRejected,
    OrderAccepted,
    OrderAssigned,
    OrderPickedUp,
    OrderDelivered,
    OrderHandedToCheckpoint,
    OrderCollected,
    OrderFailed,
    OrderCancelled,
    ReliefParcelIssued,
    ReliefParcelDelivered,
    ReliefStockMoved,
    MerchantRegistered,
    PriceListPublished,
)
"""Every delivery event, in catalogue order."""

__all__ = [
    "EVENTS",
    "MERCHANT_TOPIC",
    "MerchantRegistered",
    "PriceListItem",
    "PriceListPublished",
    "ORDER_TOPIC",
    "RELIEF_PARCEL_TOPIC",
    "RELIEF_STOCK_TOPIC",
    "OrderAccepted",
    "OrderAssigned",
    "OrderCancelled",
    "OrderCollected",
    "OrderDelivered",
    "OrderFailed",
    "OrderHandedToCheckpoint",
    "OrderLine",
    "OrderPickedUp",
    "OrderPlaced",
    "OrderRejected",
    "PriceViolation",
    "ReliefParcelDelivered",
    "ReliefParcelIssued",
    "ReliefStockMoved",
]
