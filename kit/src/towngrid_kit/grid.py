"""The grid as a service other than the registry knows it, and the grid scope of a caller.

:class:`GridDirectory` is a projection of the registry's ``CompoundRegistered`` events
(``registry.grid.v1``) in the service's own database, never a read of the registry's: one
document per compound (``grid_compounds``: its community and checkpoint) and one per checkpoint
(``grid_checkpoints``: its compound and community). A compound is registered once and never
moves, so applying an event is an upsert of the same values: a replay changes nothing. Lookups
go by ``_id``; only "the compounds of a community" reads the (small) collection.

The scope functions below keep a caller whose token is scoped to a community or a compound to
what lies there; a compound the grid has not announced lies in no community (only town-wide
tokens reach it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.auth import Principal, ensure_in_scope

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


def ensure_place(principal: Principal, place: Place) -> None:
    """403 unless ``place`` lies in the caller's grid scope."""
    ensure_in_scope(principal, community=place.community_id, compound=place.compound_id)


async def ensure_compound(principal: Principal, grid: GridDirectory, compound_id: str | None) -> None:
    """403 unless the compound lies in the caller's grid scope."""
    if not principal.grid.whole_town:
        ensure_place(principal, await grid.compound(compound_id))


async def compounds_in_scope(principal: Principal, grid: GridDirectory) -> list[str] | None:
    """The compounds the caller's lists may show: None for the whole town."""
    scope = principal.grid
    if scope.whole_town:
        return None
    if scope.compound is not None:
        return [scope.compound]
    assert scope.community is not None
    return await grid.compounds_of(scope.community)


def within_compounds(compounds: list[str] | None, field: str = "compound_id") -> dict[str, Any]:
    """The list condition that keeps to ``compounds`` (None: the whole town, no condition)."""
    return {} if compounds is None else {field: {"$in": compounds}}


async def grid_filter(principal: Principal, grid: GridDirectory, field: str = "compound_id") -> dict[str, Any]:
    """The list condition that keeps the caller to the compounds of their scope."""
    return within_compounds(await compounds_in_scope(principal, grid), field)
