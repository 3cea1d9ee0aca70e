"""Residents in MongoDB: one document per resident, saved with its events in one update.

``save`` writes the new state and appends the pending events to the document's outbox in
one atomic, version-checked update (optimistic concurrency: a concurrent change makes it
fail rather than overwrite).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_contracts.envelope import envelope_for
from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.outbox import entries_for, new_document_outbox, with_outbox
from registry.adapters.documents import from_document, to_document
from registry.domain.resident import Resident

COLLECTION = "residents"


class DuplicateNationalId(Exception):
    """Another resident with this national ID number was inserted concurrently."""


class ResidentRepository:
    def __init__(self, db: AsyncDatabase, id_hash_key: bytes) -> None:
        self._residents = db[COLLECTION]
        self._key = id_hash_key

    async def ensure_indexes(self) -> None:
        await self._residents.create_index("nid_hash", unique=True)
        await self._residents.create_index([("compound_id", ASCENDING), ("_id", ASCENDING)])
        await self._residents.create_index([("in_quarantine", ASCENDING), ("_id", ASCENDING)])

    def national_id_hash(self, national_id: str) -> str:
        return hmac.new(self._key, national_id.encode(), hashlib.sha256).hexdigest()

    async def get(self, resident_id: str) -> Resident | None:
        doc = await self._residents.find_one({"_id": resident_id}, {"outbox": 0})
        return from_document(doc) if doc else None

    async def find_by_national_id(self, national_id: str) -> Resident | None:
        doc = await self._residents.find_one({"nid_hash": self.national_id_hash(national_id)}, {"outbox": 0})
        return from_document(doc) if doc else None

    async def add(self, resident: Resident, correlation_id: uuid.UUID | None = None) -> None:
        entries, new_version = self._drain(resident, correlation_id)
        doc = to_document(resident) | {"version": new_version, "nid_hash": self.national_id_hash(resident.person.national_id)}
        try:
            await self._residents.insert_one(doc | new_document_outbox(entries))
        except DuplicateKeyError as error:
            raise DuplicateNationalId(resident.resident_id) from error
        resident.version = new_version

    async def save(self, resident: Resident, correlation_id: uuid.UUID | None = None) -> None:
        loaded_version = resident.version
        entries, new_version = self._drain(resident, correlation_id)
        state = to_document(resident) | {"version": new_version}
        state.pop("_id")
        result = await self._residents.update_one(
            {"_id": resident.resident_id, "version": loaded_version}, with_outbox({"$set": state}, entries)
        )
        if result.matched_count == 0:
            raise ConcurrentModification(f"resident {resident.resident_id} was changed concurrently; retry")
        resident.version = new_version

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Resident]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        cursor = self._residents.find(query, {"outbox": 0}).sort("_id", ASCENDING).limit(limit)
        return [from_document(doc) async for doc in cursor]

    @staticmethod
    def _drain(resident: Resident, correlation_id: uuid.UUID | None) -> tuple[list[dict[str, Any]], int]:
        version = resident.version
        correlation_id = correlation_id or uuid.uuid4()
        events = []
        for data in resident.pending:
            version += 1
            events.append((data, envelope_for(data, aggregate_id=resident.resident_id, aggregate_version=version, correlation_id=correlation_id)))
        resident.pending = []
        return entries_for(events), version
