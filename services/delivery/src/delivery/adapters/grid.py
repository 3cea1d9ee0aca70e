"""Which community each compound (and its checkpoint) belongs to, from the registry's grid events.

A projection of ``registry.grid.compound_registered`` (``registry.grid.v1``): one document per
compound (``grid_compounds``, by compound id) and one per checkpoint (``grid_checkpoints``, by
checkpoint id), each naming the compound and its community. A compound is registered once and
never moves, so the write is an upsert of the same values: a replay or redelivery changes
nothing. Lookups go by ``_id``; only "the compounds of a community" scans (a small collection).
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

CHECKPOINT_PREFIX = "CP-"


@dataclass(frozen=True)
class Place:
    """Where a thing lies in the grid: its compound and (if the grid knows it) its community."""

    compound_id: str | None
    community_id: str | None


class GridDirectory:
    def __init__(self, db: AsyncDatabase) -> None:
        self._compounds = db["grid_compounds"]
        self._checkpoints = db["grid_checkpoints"]

    async def ensure_indexes(self) -> None:
        await self._compounds.create_index([("community_id", ASCENDING), ("_id", ASCENDING)])

    async def compound_registered(self, compound_id: str, community_id: str, checkpoint_id: str) -> None:
        await self._compounds.update_one({"_id": compound_id}, {"$set": {
            "community_id": community_id, "checkpoint_id": checkpoint_id}}, upsert=True)
        await self._checkpoints.update_one({"_id": checkpoint_id}, {"$set": {
            "compound_id": compound_id, "community_id": community_id}}, upsert=True)

    async def community_of(self, compound_id: str | None) -> str | None:
        if not compound_id:
            return None
        found = await self._compounds.find_one({"_id": compound_id})
        return found["community_id"] if found else None

    async def compound(self, compound_id: str | None) -> Place:
        return Place(compound_id, await self.community_of(compound_id))

    async def checkpoint(self, checkpoint_id: str) -> Place:
        """The checkpoint's compound and community; a checkpoint the grid has not announced is
        placed by its name (each compound's checkpoint is ``CP-<compound_id>``), community unknown."""
        found = await self._checkpoints.find_one({"_id": checkpoint_id})
        if found is not None:
            return Place(found["compound_id"], found["community_id"])
        if checkpoint_id.startswith(CHECKPOINT_PREFIX) and len(checkpoint_id) > len(CHECKPOINT_PREFIX):
            return await self.compound(checkpoint_id[len(CHECKPOINT_PREFIX):])
        return Place(None, None)

    async def compounds_of(self, community_id: str) -> list[str]:
        return [d["_id"] async for d in self._compounds.find({"community_id": community_id}, {"_id": 1})]
