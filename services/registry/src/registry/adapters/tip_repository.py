"""Tips in the commit log (one aggregate per tip); listed by compound and status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore
from registry.domain.tip import Reporter, Tip

TIP_STORE = "tips"


def to_state(tip: Tip) -> dict[str, Any]:
    state = asdict(tip)
    state.pop("pending")
    state.pop("version")
    return state


def from_state(doc: dict[str, Any], version: int) -> Tip:
    reporter = doc.get("reporter")
    return Tip(**{**doc, "reporter": Reporter(**reporter) if reporter else None, "version": version})


class TipRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, TIP_STORE)

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()
        await self._store.current.create_index([("compound_id", ASCENDING), ("open", ASCENDING), ("_id", ASCENDING)])

    async def get(self, tip_id: str) -> Tip | None:
        found = await self._store.load(tip_id)
        return from_state(*found) if found else None

    async def save(self, tip: Tip) -> None:
        events, tip.pending = tip.pending, []
        tip.version = await self._store.commit(tip.tip_id, tip.version, to_state(tip), events,
                                               index_fields={"compound_id": tip.compound_id, "open": tip.open})

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Tip]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        cursor = self._store.current.find(query).sort("_id", ASCENDING).limit(limit)
        return [from_state(doc["state"], doc["version"]) async for doc in cursor]

    async def count_open(self) -> int:
        return await self._store.current.count_documents({"open": True})
