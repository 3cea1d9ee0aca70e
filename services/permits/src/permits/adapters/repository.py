"""Permits in MongoDB as an insert-only log of commits (``towngrid_kit.commits``), and the
review policies (insert-only too: the latest setting per permit type wins)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.keyed_ids import KeyedIds
from towngrid_kit.migrations import once
from towngrid_kit.repository import Repository
from permits.adapters.documents import PermitMapper
from permits.domain.permit import Permit
from permits.domain.review import DEFAULT_POLICIES, ReviewPolicy

STORE = "permits"


class PermitRepository(Repository[Permit]):
    """Permits, and the permits of each holder (``permits_by_holder``: what a quarantine event
    looks up, by ``_id`` only; see ``towngrid_kit.keyed_ids``)."""

    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, STORE, PermitMapper(), indexed=[
            ("holder_id",), ("pending_departments",), ("escalated_departments",), ("status",)])
        self._holders = KeyedIds(db["permits_by_holder"])

    async def ensure_indexes(self) -> None:
        await super().ensure_indexes()
        await self.store.ensure_indexes([("status", ASCENDING), ("next_due", ASCENDING)],
                                        [("status", ASCENDING), ("valid_until", ASCENDING)])

    async def migrate(self) -> None:
        """The store's migrations (its query fields first), then, once, the holders of the
        permits stored before ``permits_by_holder`` existed."""
        await super().migrate()

        async def file_by_holder() -> None:
            async for doc in self.store.fields.find({"holder_id": {"$ne": None}}, {"holder_id": 1}):
                await self._holders.file(doc["holder_id"], doc["_id"])

        await once(self.store.current.database, "permits:by-holder", file_by_holder)

    async def held_by(self, holder_id: str) -> list[str]:
        """The ids of every permit of ``holder_id`` (an id filed by a crashed application may
        have no permit: loading it finds none). Ids only, never the query fields: those may lag
        a commit whose refresh was left to the relay, and an event's effect must not miss it."""
        return await self._holders.ids(holder_id)

    async def save(self, permit: Permit) -> bool:
        """Store the new state and pending events (ConcurrentModification on a race); a new
        permit is filed under its holder first (a crash then leaves an id with no permit, skipped)."""
        holder_id = permit.holder_resident_id or permit.merchant_id
        if permit.version == 0 and permit.pending and holder_id:
            await self._holders.file(holder_id, permit.permit_id)
        return await super().save(permit)


class PolicyStore:
    """Review policies per permit type; each change is a new document (no update races)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._policies = db["review_policies"]

    async def ensure_indexes(self) -> None:
        await self._policies.create_index([("permit_type", ASCENDING), ("set_at", DESCENDING)])

    async def get(self, permit_type: str) -> ReviewPolicy:
        found = await self._policies.find_one({"permit_type": permit_type}, sort=[("set_at", DESCENDING)])
        return ReviewPolicy(**found["policy"]) if found else DEFAULT_POLICIES[permit_type]

    async def put(self, permit_type: str, policy: ReviewPolicy, set_by: str) -> None:
        await self._policies.insert_one({"_id": uuid.uuid4().hex, "permit_type": permit_type, "policy": asdict(policy),
                                         "set_by": set_by, "set_at": datetime.now(UTC)})
