"""Merchants and orders in MongoDB, as insert-only logs of commits (``towngrid_kit.commits``)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore

from delivery.adapters.documents import merchant_from, merchant_state, order_from, order_state
from delivery.domain.merchant import Merchant
from delivery.domain.order import Order

MERCHANTS = "merchants"
ORDERS = "orders"


async def load(store: AggregateStore, aggregate_id: str, authoritative: bool) -> tuple[dict[str, Any], int] | None:
    """The aggregate's state and version, or None if it has none.

    Not ``authoritative``: its current-state document alone (one lookup by ``_id``). That document
    may lag the commits (a crash or a busy database between a commit and the refresh after it); a
    change based on such a stale version collides on the next commit's ``_id``
    (ConcurrentModification), and the retry loads authoritatively. ``authoritative``, or no
    current-state document: the kit's ``AggregateStore.load``, which starts from the current-state
    document (if any) and follows the commits ``<id>@<version + 1>`` by ``_id`` to the latest.
    """
    if not authoritative:
        doc = await store.current.find_one({"_id": aggregate_id})
        if doc is not None:
            return doc["state"], doc["version"]
    return await store.load(aggregate_id)


class MerchantRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, MERCHANTS)

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()

    async def get(self, merchant_id: str, *, authoritative: bool = False) -> Merchant | None:
        found = await load(self._store, merchant_id, authoritative)
        return merchant_from(*found) if found else None

    async def save(self, merchant: Merchant) -> None:
        events, merchant.pending = merchant.pending, []
        merchant.version = await self._store.commit(
            merchant.merchant_id, merchant.version, merchant_state(merchant), events,
            index_fields={"kind": merchant.kind, "community_id": merchant.community_id},
        )

    async def page(self, after: str | None, limit: int) -> list[Merchant]:
        query: dict[str, Any] = {"_id": {"$gt": after}} if after else {}
        return [merchant_from(doc["state"], doc["version"]) for doc in await self._store.current_docs(query, limit=limit)]


class OrderRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, ORDERS)

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes(*([(name, ASCENDING), ("_id", ASCENDING)] for name in (
            "status", "team_id", "household_id", "merchant_id", "checkpoint_id", "compound_id")))

    async def get(self, order_id: str, *, authoritative: bool = False) -> Order | None:
        found = await load(self._store, order_id, authoritative)
        return order_from(*found) if found else None

    async def save(self, order: Order) -> None:
        events, order.pending = order.pending, []
        order.version = await self._store.commit(
            order.order_id, order.version, order_state(order), events,
            index_fields={"status": order.status, "team_id": order.team_id, "household_id": order.household_id,
                          "merchant_id": order.merchant_id, "checkpoint_id": order.checkpoint_id,
                          "compound_id": order.compound_id, "pickup_until": (order.pickup or {}).get("until")},
        )

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Order]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        return [order_from(doc["state"], doc["version"]) for doc in await self._store.current_docs(query, limit=limit)]
