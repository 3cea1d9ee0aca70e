"""Which community each compound belongs to, as this service knows it: a projection of the
registry's grid events (``registry.grid.v1``), never a read of the registry's database.

One document per compound (``_id`` = compound id); an event sets the same fields every time
it is applied, so a redelivered or replayed event changes nothing.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.registry import CompoundRegistered

COLLECTION = "grid_compounds"


class GridUnits:
    def __init__(self, db: AsyncDatabase) -> None:
        self._compounds = db[COLLECTION]

    async def compound_registered(self, event: CompoundRegistered) -> None:
        await self._compounds.update_one({"_id": event.compound_id}, {"$set": {
            "community_id": event.community_id, "checkpoint_id": event.checkpoint_id}}, upsert=True)

    async def compound(self, compound_id: str) -> dict[str, Any] | None:
        return await self._compounds.find_one({"_id": compound_id})

    async def community_of(self, compound_id: str) -> str | None:
        found = await self.compound(compound_id)
        return found["community_id"] if found else None

    async def compounds_of(self, community_id: str) -> list[str]:
        """The compounds of one community (a scan of a collection of a few hundred documents)."""
        return [doc["_id"] async for doc in self._compounds.find({"community_id": community_id}, {"_id": 1})]
