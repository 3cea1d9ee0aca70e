"""Relief parcels in MongoDB: the recipients (a projection of the registry's enrolments), the
append-only issue ledger and the append-only stock log (the parcels: ``repository.ParcelRepository``).

- The **ledger** has one entry per household and schedule period, ``<household_id>#<period>``:
  a unique insert, so a second issue for the same household and period is refused even when
  two requests race. Entries are never changed or removed.
- The **stock** is a log of movements ``<depot>@<seq>`` each holding the balance after it; a
  movement is stored only if its number is free, so two takes racing on one balance cannot
  both succeed (the loser re-reads and re-checks), and a take that would make any item
  negative is refused. A taken parcel whose ledger entry is refused is given back by a
  ``return`` movement (the log is never rewritten).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_contracts.envelope import Envelope
from towngrid_kit.concurrency import retry_on_conflict
from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.ids import utcnow
from towngrid_kit.projection import apply_versioned
from towngrid_kit.mongo import page_by_id


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


class ReliefStock:
    def __init__(self, db: AsyncDatabase, depot: str = "town") -> None:
        self._moves = db["relief_stock_moves"]
        self._head = db["relief_stock_head"]
        self._depot = depot

    async def ensure_indexes(self) -> None:
        await self._moves.create_index([("depot", ASCENDING), ("seq", DESCENDING)])

    def _id(self, seq: int) -> str:
        return f"{self._depot}@{seq:012d}"

    async def balance(self) -> tuple[dict[str, int], int]:
        """The latest movement's balance and number. Found by ``_id`` lookups only: from a hint of
        the latest number (which may lag, never lead), forward until the next number is free."""
        hint = await self._head.find_one({"_id": self._depot})
        seq = hint["seq"] if hint else 0
        latest = await self._moves.find_one({"_id": self._id(seq)}) if seq else None
        while (following := await self._moves.find_one({"_id": self._id(seq + 1)})) is not None:
            latest, seq = following, seq + 1
        return (dict(latest["balance"]), latest["seq"]) if latest else ({}, 0)

    async def move(self, kind: str, change: Callable[[dict[str, int]], dict[str, int]], delta: dict[str, int],
                   by: str, parcel_id: str | None = None) -> dict[str, int]:
        """Append a movement whose balance is ``change(current balance)`` (which may raise); return it."""
        async def attempt() -> dict[str, int]:
            balance, seq = await self.balance()
            after = change(balance)
            try:
                await self._moves.insert_one({
                    "_id": self._id(seq + 1), "depot": self._depot, "seq": seq + 1, "kind": kind,
                    "delta": delta, "balance": after, "parcel_id": parcel_id, "by": by, "at": utcnow(),
                })
            except DuplicateKeyError as error:
                raise ConcurrentModification("relief stock moved concurrently; retry") from error
            try:
                await self._head.update_one({"_id": self._depot, "seq": {"$lt": seq + 1}},
                                            {"$set": {"seq": seq + 1}}, upsert=True)
            except DuplicateKeyError:
                pass  # the hint is already further on
            return after

        # Not a UnitOfWork: the stock is not an aggregate in a commit log but one depot's log of
        # movements (``<depot>@<seq>``), and every receipt and every parcel issued in town appends
        # to it, so it is the most contended key there is: more attempts than the kit's default 12,
        # for bursts of issues (a lost race costs two lookups by ``_id`` and one insert).
        return await retry_on_conflict(attempt, attempts=30)

