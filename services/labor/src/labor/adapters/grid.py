"""Which community each compound belongs to, from the registry's grid events.

A projection of ``registry.grid.compound_registered`` (``registry.grid.v1``), one document per
compound in ``grid_compounds``. A compound is registered once and never moves, so the write is
an upsert of the same values: a replay or redelivery changes nothing. Lookups go by ``_id``;
only "the compounds of a community" scans (a small collection).
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase


class GridDirectory:
    def __init__(self, db: AsyncDatabase) -> None:
        self._compounds = db["grid_compounds"]

    async def ensure_indexes(self) -> None:
        await self._compounds.create_index([("community_id", ASCENDING), ("_id", ASCENDING)])

    async def compound_registered(self, compound_id: str, community_id: str) -> None:
        await self._compounds.update_one({"_id": compound_id}, {"$set": {"community_id": community_id}}, upsert=True)

    async def community_of(self, compound_id: str | None) -> str | None:
        if not compound_id:
            return None
        found = await self._compounds.find_one({"_id": compound_id})
        return found["community_id"] if found else None

    async def compounds_of(self, community_id: str) -> list[str]:
        return [d["_id"] async for d in self._compounds.find({"community_id": community_id}, {"_id": 1})]
