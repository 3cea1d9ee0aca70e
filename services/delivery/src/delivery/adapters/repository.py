"""Merchants, orders and relief parcels in MongoDB, as insert-only logs of commits
(``towngrid_kit.commits``), through the kit's ``Repository`` and the mappers of ``documents``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.repository import Mapper, Repository

from delivery.adapters.documents import MerchantMapper, OrderMapper, ParcelMapper
from delivery.domain.merchant import Merchant
from delivery.domain.order import Order
from delivery.domain.relief import ReliefParcel

A = TypeVar("A")

MERCHANTS = "merchants"
ORDERS = "orders"
PARCELS = "relief_parcels"


class CurrentFirst(Repository[A]):
    """The kit's repository, with one lookup fewer on the hot path.

    ``get``, not ``authoritative``: the current-state document alone (one lookup by ``_id``). That
    document may lag the commits (a crash or a busy database between a commit and the refresh
    after it); a change based on such a stale version collides on the next commit's ``_id``
    (ConcurrentModification). The id is then remembered as behind, and every ``get`` of it
    follows the commits (the kit's ``get``: the current document, then ``<id>@<version + 1>``…
    by ``_id``) until a change of it is stored, so the unit of work's retry sees the latest
    version. ``authoritative``, or no current-state document: always the kit's ``get``.
    """

    def __init__(self, db: AsyncDatabase, name: str, mapper: Mapper[A], *,
                 indexed: Iterable[str | tuple[str, ...]] = ()) -> None:
        super().__init__(db, name, mapper, indexed=indexed)
        self._behind: set[str] = set()

    async def get(self, aggregate_id: str, *, authoritative: bool = False) -> A | None:
        if not authoritative and aggregate_id not in self._behind:
            doc = await self.store.current.find_one({"_id": aggregate_id})
            if doc is not None:
                return self.mapper.from_state(doc["state"], doc["version"])
        return await super().get(aggregate_id)

    async def save(self, aggregate: A) -> bool:
        aggregate_id = self.mapper.id_of(aggregate)
        try:
            stored = await super().save(aggregate)
        except ConcurrentModification:
            self._behind.add(aggregate_id)
            raise
        self._behind.discard(aggregate_id)
        return stored


class MerchantRepository(CurrentFirst[Merchant]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, MERCHANTS, MerchantMapper())


class OrderRepository(CurrentFirst[Order]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, ORDERS, OrderMapper(), indexed=(
            "status", "team_id", "household_id", "merchant_id", "checkpoint_id", "compound_id"))


class ParcelRepository(CurrentFirst[ReliefParcel]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, PARCELS, ParcelMapper())
