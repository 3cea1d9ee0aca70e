"""Residents in MongoDB, as an insert-only log of commits (see ``towngrid_kit.commits``).

Each change stores the resident's new state and its events in one insert. A national ID
number is claimed once, in ``national_id_claims`` (keyed by a keyed hash of the number, so
the raw number is not an index key), which makes "the same national ID is the same
resident" hold even when two registrations race.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.commits import AggregateStore
from registry.adapters.documents import from_state, to_state
from registry.domain.resident import Resident

STORE = "residents"


class ResidentRepository:
    def __init__(self, db: AsyncDatabase, id_hash_key: bytes) -> None:
        self._store = AggregateStore(db, STORE)
        self._claims = db["national_id_claims"]
        self._key = id_hash_key

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()
        await self._store.current.create_index([("compound_id", ASCENDING), ("_id", ASCENDING)])
        await self._store.current.create_index([("in_quarantine", ASCENDING), ("_id", ASCENDING)])
        await self._store.current.create_index([("checklist_next_due", ASCENDING)])

    def national_id_hash(self, national_id: str) -> str:
        return hmac.new(self._key, national_id.encode(), hashlib.sha256).hexdigest()

    async def get(self, resident_id: str) -> Resident | None:
        found = await self._store.load(resident_id)
        return from_state(*found) if found else None

    async def claim_national_id(self, national_id: str, resident_id: str) -> str:
        """The resident id that owns this national ID: an earlier claim's, or ``resident_id``."""
        key = self.national_id_hash(national_id)
        try:
            await self._claims.insert_one({"_id": key, "resident_id": resident_id})
            return resident_id
        except DuplicateKeyError:
            claim = await self._claims.find_one({"_id": key})
            return claim["resident_id"]

    async def save(self, resident: Resident) -> None:
        """Store the resident's new state and pending events (ConcurrentModification on a race)."""
        events, resident.pending = resident.pending, []
        resident.version = await self._store.commit(
            resident.resident_id, resident.version, to_state(resident), events,
            index_fields={
                "compound_id": resident.compound_id,
                "in_quarantine": resident.open_quarantine is not None,
                "checklist_next_due": resident.checklist.next_due() if resident.checklist else None,
            },
        )

    async def checklists_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of residents whose checklist has an overdue step due by ``now``."""
        cursor = self._store.current.find({"checklist_next_due": {"$lte": now}}, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Resident]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        cursor = self._store.current.find(query).sort("_id", ASCENDING).limit(limit)
        return [from_state(doc["state"], doc["version"]) async for doc in cursor]
