"""Service teams and their capacity.

A team is a plain document written once (community, capacity, members). Its capacity is
enforced with insert-only slot claims, ``<team_id>#<n>`` for n < capacity, each naming the
order that holds it: a unique insert is atomic on FerretDB and MongoDB alike, so two
assignments racing for the last slot cannot both win, across processes too. A slot is given
back when the order leaves the team's hands (delivered, handed to the checkpoint, failed,
cancelled). A claim left behind by a crash (its order never became assigned to the team) is
reclaimed after ``stale_after_s``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.errors import Conflict

HoldsSlot = Callable[[str, str], Awaitable[bool]]


class Teams:
    def __init__(self, db: AsyncDatabase, *, stale_after_s: float = 30.0) -> None:
        self._teams = db["teams"]
        self._slots = db["team_slots"]
        self._stale = timedelta(seconds=stale_after_s)

    async def ensure_indexes(self) -> None:
        await self._teams.create_index([("community_id", ASCENDING), ("_id", ASCENDING)])
        await self._slots.create_index([("order_id", ASCENDING)])
        await self._slots.create_index([("team_id", ASCENDING)])

    async def create(self, team: dict[str, Any]) -> bool:
        """Store a new team; False if the id is taken."""
        try:
            await self._teams.insert_one({"_id": team["team_id"], **team})
            return True
        except DuplicateKeyError:
            return False

    async def get(self, team_id: str) -> dict[str, Any] | None:
        return await self._teams.find_one({"_id": team_id}, {"_id": 0})

    async def page(self, community_id: str | None, after: str | None, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if community_id:
            query["community_id"] = community_id
        if after:
            query["_id"] = {"$gt": after}
        return await self._teams.find(query, {"_id": 0}).sort("_id", ASCENDING).limit(limit).to_list()

    async def load(self, team_id: str) -> int:
        return await self._slots.count_documents({"team_id": team_id})

    async def claim(self, team: dict[str, Any], order_id: str, holds_slot: HoldsSlot) -> None:
        """Take a free slot of ``team`` for ``order_id`` (again for a retry), or Conflict when full."""
        team_id = team["team_id"]
        if await self._slots.find_one({"team_id": team_id, "order_id": order_id}):
            return
        for attempt in range(2):
            taken = {int(slot["_id"].rsplit("#", 1)[1])
                     async for slot in self._slots.find({"team_id": team_id}, {"_id": 1})}
            for n in (n for n in range(team["capacity"]) if n not in taken):
                try:
                    await self._slots.insert_one({"_id": f"{team_id}#{n}", "team_id": team_id, "order_id": order_id,
                                                  "claimed_at": datetime.now(UTC)})
                    return
                except DuplicateKeyError:
                    continue
            if attempt == 0 and not await self._reclaim_stale(team_id, holds_slot):
                break
        raise Conflict(f"team {team_id} is at its capacity of {team['capacity']} orders in hand")

    async def _reclaim_stale(self, team_id: str, holds_slot: HoldsSlot) -> bool:
        freed = False
        cutoff = datetime.now(UTC) - self._stale
        async for slot in self._slots.find({"team_id": team_id, "claimed_at": {"$lt": cutoff}}):
            if not await holds_slot(slot["order_id"], team_id):
                result = await self._slots.delete_one({"_id": slot["_id"], "order_id": slot["order_id"]})
                freed |= result.deleted_count > 0
        return freed

    async def release(self, order_id: str) -> None:
        await self._slots.delete_many({"order_id": order_id})
