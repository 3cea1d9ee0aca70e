"""Permits in MongoDB as an insert-only log of commits (``towngrid_kit.commits``), and the
review policies (insert-only too: the latest setting per permit type wins)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from pymongo.errors import DuplicateKeyError

from towngrid_kit.commits import AggregateStore
from towngrid_kit.keyed_ids import KeyedIds
from permits.adapters.documents import from_state, index_fields, to_state
from permits.domain.permit import Permit
from permits.domain.review import DEFAULT_POLICIES, ReviewPolicy

STORE = "permits"


class PermitRepository:
    """Permits, and the permits of each holder (``permits_by_holder``: what a quarantine event
    looks up, by ``_id`` only; see ``towngrid_kit.keyed_ids``)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, STORE)
        self._holders = KeyedIds(db["permits_by_holder"])
        self._migrations = db["store_migrations"]
        self.current = self._store.current

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes(*([(k, ASCENDING) for k in keys] for keys in (
            ["holder_id", "_id"], ["pending_departments", "_id"], ["escalated_departments", "_id"],
            ["status", "next_due"], ["status", "valid_until"], ["status", "_id"])))
        if await self._migrations.find_one({"_id": "permits:by-holder"}) is None:  # permits stored before it existed
            async for doc in self._store.fields.find({"holder_id": {"$ne": None}}, {"holder_id": 1}):
                await self._holders.file(doc["holder_id"], doc["_id"])
            try:
                await self._migrations.insert_one({"_id": "permits:by-holder", "at": datetime.now(UTC)})
            except DuplicateKeyError:
                pass  # another process did it at the same time

    async def held_by(self, holder_id: str) -> list[str]:
        """The ids of every permit of ``holder_id`` (an id filed by a crashed application may
        have no permit: loading it finds none). Ids only, never the query fields: those may lag
        a commit whose refresh was left to the relay, and an event's effect must not miss it."""
        return await self._holders.ids(holder_id)

    async def get(self, permit_id: str) -> Permit | None:
        found = await self._store.load(permit_id)
        return from_state(*found) if found else None

    async def save(self, permit: Permit) -> None:
        """Store the new state and pending events (ConcurrentModification on a race)."""
        events, permit.pending = permit.pending, []
        fields = index_fields(permit)
        if permit.version == 0 and fields["holder_id"]:  # filed first: a crash then leaves an id with no permit, skipped
            await self._holders.file(fields["holder_id"], permit.permit_id)
        permit.version = await self._store.commit(permit.permit_id, permit.version, to_state(permit), events,
                                                  index_fields=fields)

    async def page(self, query: dict[str, Any], after: str | None, limit: int) -> list[Permit]:
        query = dict(query)
        if after:
            query["_id"] = {"$gt": after}
        return [from_state(doc["state"], doc["version"]) for doc in await self._store.current_docs(query, limit=limit)]

    async def ids(self, query: dict[str, Any], limit: int = 500) -> list[str]:
        return await self._store.ids(query, limit=limit)

    async def count_by(self, field: str, match: dict[str, Any]) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [{"$match": match}, {"$group": {"_id": f"${field}", "n": {"$sum": 1}}}]
        cursor = await self._store.fields.aggregate(pipeline)
        return {str(doc["_id"]): doc["n"] async for doc in cursor if doc["_id"] is not None}


    async def count_by_pair(self, first: str, second: str, match: dict[str, Any]) -> dict[str, dict[str, int]]:
        pipeline: list[dict[str, Any]] = [
            {"$match": match}, {"$group": {"_id": {"a": f"${first}", "b": f"${second}"}, "n": {"$sum": 1}}}]
        out: dict[str, dict[str, int]] = {}
        async for doc in await self._store.fields.aggregate(pipeline):
            a, b = doc["_id"].get("a"), doc["_id"].get("b")
            if a is not None and b is not None:
                out.setdefault(str(a), {})[str(b)] = doc["n"]
        return out


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
