"""Tips in the commit log (one aggregate per tip); listed by compound and status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore
from registry.adapters.sealing import KeyRing, needs_resealing, open_items, seal_items
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
    def __init__(self, db: AsyncDatabase, ring: KeyRing) -> None:
        self._ring = ring  # seals the reporter (name and mobile) at rest
        self._store = AggregateStore(db, TIP_STORE)

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes([("compound_id", ASCENDING), ("open", ASCENDING), ("_id", ASCENDING)])

    async def get(self, tip_id: str) -> Tip | None:
        found = await self._store.load(tip_id)
        return self.opened(*found) if found else None

    def _sealed(self, tip: Tip) -> dict[str, Any]:
        return seal_items(self._ring, to_state(tip), ("reporter",), kind="tip", record_id=tip.tip_id)

    def opened(self, state: dict[str, Any], version: int) -> Tip:
        return from_state(open_items(self._ring, state, kind="tip", record_id=state["tip_id"]), version)

    def needs_resealing(self, state: dict[str, Any]) -> bool:
        return needs_resealing(self._ring, state)

    async def load_raw(self, tip_id: str) -> tuple[dict[str, Any], int] | None:
        return await self._store.load(tip_id)

    async def tip_ids(self, after: str | None, limit: int) -> list[str]:
        query = {"_id": {"$gt": after}} if after else {}
        return await self._store.ids(query, limit=limit)

    async def save(self, tip: Tip) -> None:
        events, tip.pending = tip.pending, []
        tip.version = await self._store.commit(tip.tip_id, tip.version, self._sealed(tip), events,
                                               index_fields={"compound_id": tip.compound_id, "open": tip.open})

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Tip]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        return [self.opened(doc["state"], doc["version"]) for doc in await self._store.current_docs(query, limit=limit)]

    async def count_open(self) -> int:
        return await self._store.fields.count_documents({"open": True})
