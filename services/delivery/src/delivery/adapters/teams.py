"""Service teams and their capacity.

A team is a plain document written once (community, capacity, members). Its capacity is
enforced with seats (``adapters/seats.py``): an order assigned to the team holds one of its
``capacity`` seats, taken by a unique insert, so two assignments racing for the last seat
cannot both win, across processes too. A seat is given back when the order leaves the team's
hands (delivered, handed to the checkpoint, failed, cancelled). A seat left behind by a crash
(its order never became assigned to the team) is reclaimed after ``stale_after_s``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.errors import Conflict
from towngrid_kit.ids import utcnow
from towngrid_kit.mongo import page_by_id

from delivery.adapters.seats import Seats

HoldsSlot = Callable[[str, str], Awaitable[bool]]


class Teams:
    def __init__(self, db: AsyncDatabase, *, stale_after_s: float = 30.0) -> None:
        self._teams = db["teams"]
        self._seats = Seats(db, "team_seats")
        self._stale = timedelta(seconds=stale_after_s)

    async def ensure_indexes(self) -> None:
        await self._teams.create_index([("community_id", ASCENDING), ("_id", ASCENDING)])
        await self._seats.ensure_indexes()

    async def migrate(self) -> None:
        await self._seats.migrate_from("team_slots", pool_field="team_id")

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
        query: dict[str, Any] = {"community_id": community_id} if community_id else {}
        return await page_by_id(self._teams, query, after, limit, {"_id": 0})

    async def load(self, team_id: str) -> int:
        return await self._seats.count(team_id)

    async def claim(self, team: dict[str, Any], order_id: str, holds_slot: HoldsSlot) -> None:
        """Take a free seat of ``team`` for ``order_id`` (none again for a retry), or Conflict when full."""
        team_id = team["team_id"]
        if await self._seats.held(order_id, team_id) is not None:
            return
        if await self._seats.take(team_id, team["capacity"], order_id):
            return
        if await self._reclaim_stale(team_id, holds_slot) and await self._seats.take(team_id, team["capacity"], order_id):
            return
        raise Conflict(f"team {team_id} is at its capacity of {team['capacity']} orders in hand")

    async def _reclaim_stale(self, team_id: str, holds_slot: HoldsSlot) -> bool:
        freed = False
        for seat in await self._seats.taken_before(team_id, utcnow() - self._stale):
            if not await holds_slot(seat["holder"], team_id):
                freed |= await self._seats.free(seat["_id"], seat["holder"])
        return freed

    async def release(self, order_id: str) -> None:
        await self._seats.release(order_id)
