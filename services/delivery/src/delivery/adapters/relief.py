"""Relief parcels in MongoDB: the recipients (a projection of the registry's enrolments), the
append-only issue ledger and the append-only stock log (the parcels: ``repository.ParcelRepository``).

- The **ledger** has one entry per household and schedule period, ``<household_id>#<period>``:
  a unique insert, so a second issue for the same household and period is refused even when
  two requests race. Entries are never changed or removed.
- The **stock** of each depot is an aggregate in the kit's store (``StockRepository``): each
  movement is a commit ``<depot>@<version>`` with its event, stored only if its number is free,
  so two takes racing on one balance cannot both succeed (the loser re-reads and re-checks),
  and a take that would make any item negative is refused. A taken parcel whose ledger entry is
  refused is given back by a ``return`` movement (nothing is rewritten). It replaced a log of
  its own (``relief_stock_moves``), carried over once at start-up.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_contracts.envelope import Envelope
from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.migrations import once
from towngrid_kit.projection import apply_versioned
from towngrid_kit.mongo import page_by_id
from towngrid_kit.repository import DataclassMapper, Repository

from delivery.domain.relief import ReliefStock

STOCK = "relief_stock"
OLD_LOG = "relief_stock_moves"  # the stock log before StockRepository (and its hint, relief_stock_head)
DEPOT = "town"


class ReliefRecipients:
    def __init__(self, db: AsyncDatabase) -> None:
        self._recipients = db["relief_recipients"]

    async def ensure_indexes(self) -> None:
        await self._recipients.create_index([("compound_id", ASCENDING), ("_id", ASCENDING)])

    async def enrolled(self, resident_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        return await apply_versioned(self._recipients, resident_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def get(self, resident_id: str) -> dict[str, Any] | None:
        return await self._recipients.find_one({"_id": resident_id})

    async def page(self, compound_id: str | None, after: str | None, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"relief_every_days": {"$ne": None}}
        if compound_id:
            query["compound_id"] = compound_id
        return await page_by_id(self._recipients, query, after, limit)


class ReliefLedger:
    def __init__(self, db: AsyncDatabase) -> None:
        self._ledger = db["relief_ledger"]

    async def ensure_indexes(self) -> None:
        await self._ledger.create_index([("household_id", ASCENDING), ("period_start", ASCENDING)])

    @staticmethod
    def key(household_id: str, period: date) -> str:
        return f"{household_id}#{period.isoformat()}"

    async def record(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """Append the entry; None if it was stored, else the entry already there for that household and period."""
        key = self.key(entry["household_id"], entry["period_start"])
        try:
            await self._ledger.insert_one({"_id": key, **entry, "period_start": entry["period_start"].isoformat()})
            return None
        except DuplicateKeyError:
            return await self._ledger.find_one({"_id": key})

    async def find(self, household_id: str, period: date) -> dict[str, Any] | None:
        return await self._ledger.find_one({"_id": self.key(household_id, period)})

    async def page(self, household_id: str | None, after: str | None, limit: int,
                   where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A page of entries; ``where``: more conditions (the caller's scope, on ``compound_id``)."""
        query: dict[str, Any] = dict(where or {})
        if household_id:
            query["household_id"] = household_id
        return await page_by_id(self._ledger, query, after, limit)


class StockRepository(Repository[ReliefStock]):
    """Each depot's stock, an aggregate in the kit's store (``relief_stock``): every movement one
    commit with its ``ReliefStockMoved``, so the depot's version is its movement number."""

    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, STOCK, DataclassMapper(ReliefStock, lambda stock: stock.depot_id))
        self._db = db

    async def migrate(self) -> None:
        await super().migrate()
        await once(self._db, f"{STOCK}:from_log", self._from_log)

    async def _from_log(self) -> None:
        """Once: the movements of the stock log kept before (``relief_stock_moves``, ``<depot>@<seq>``),
        carried into each depot's first commit as they were, numbers and balances alike (their
        events published then, for the consumers that never saw them). A depot with a commit
        already is left alone, so a second process doing the same at once changes nothing."""
        moves = await self._db[OLD_LOG].find({}).sort([("depot", ASCENDING), ("seq", ASCENDING)]).to_list()
        for depot in dict.fromkeys(m["depot"] for m in moves):
            if await self.get(depot) is not None:
                continue
            stock = ReliefStock(depot)
            for m in (m for m in moves if m["depot"] == depot):
                at = m["at"] if m["at"].tzinfo else m["at"].replace(tzinfo=UTC)
                stock.carry(m["kind"], {k: abs(v) for k, v in m["delta"].items()}, dict(m["balance"]),
                            m.get("parcel_id"), m["by"], at)
            try:
                await self.save(stock)
            except ConcurrentModification:
                pass  # another process carried it over first
