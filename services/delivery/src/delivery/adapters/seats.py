"""Places of bounded pools, each held by one order: a team's orders in hand, a collection
slot's parcels.

A pool of capacity c has the seats ``<pool>#<n>`` for n < c. Taking one is a unique insert of
that seat naming its holder, atomic on FerretDB and MongoDB alike, so two orders racing for
the last seat cannot both win, across processes too. Each holder also has a small document
keyed by its own id (``<name>_holders``) naming the seat it took, so finding and giving back
an order's seat are lookups by ``_id``: no query on another field on a command's path.

The holder document is written *before* the seat is tried: a crash between the two leaves a
holder pointing at a seat it does not hold, which a release skips (it deletes the seat only
if the seat names that holder); the other order could leave a seat nobody can find to release.
Seats are tried in a random order (a few probes), so taking one costs one try while the pool
has room; only when the probes all collide are the pool's seats listed.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.ids import utcnow
from towngrid_kit.migrations import once

PROBES = 4


class Seats:
    def __init__(self, db: AsyncDatabase, name: str) -> None:
        self._name = name
        self._seats = db[name]
        self._holders = db[f"{name}_holders"]

    async def ensure_indexes(self) -> None:
        """The pool index (listings, counts)."""
        await self._seats.create_index([("pool", ASCENDING)])

    async def migrate_from(self, legacy: str, *, pool_field: str, info_field: str = "") -> None:
        """Once: the seats taken in ``legacy`` (the earlier collection, whose seats named their
        pool in ``pool_field`` and their holder in ``order_id``)."""
        async def copy() -> None:
            async for old in self._seats.database[legacy].find({}):
                seat = {"pool": old[pool_field], "holder": old["order_id"], "info": old.get(info_field),
                        "taken_at": old.get("claimed_at") or utcnow()}
                await self._holders.replace_one({"_id": seat["holder"]}, {"pool": seat["pool"], "seat": old["_id"],
                                                                          "info": seat["info"]}, upsert=True)
                await self._seats.replace_one({"_id": old["_id"]}, seat, upsert=True)

        await once(self._seats.database, f"{self._name}:from-{legacy}", copy)

    async def held(self, holder: str, pool: str | None = None) -> dict[str, Any] | None:
        """The seat ``holder`` holds (in ``pool``, if given): ``{"pool", "seat", "info"}``, or None."""
        found = await self._holders.find_one({"_id": holder})
        if found is None or (pool is not None and found["pool"] != pool):
            return None
        if await self._seats.find_one({"_id": found["seat"], "holder": holder}, {"_id": 1}) is None:
            return None  # a crash after the holder document, before the seat
        return found

    async def take(self, pool: str, capacity: int, holder: str, info: dict[str, Any] | None = None) -> bool:
        """Take a free seat of ``pool`` for ``holder``; False when every seat is taken."""
        free = random.sample(range(capacity), min(PROBES, capacity))
        for attempt in range(2):
            for n in free:
                seat = f"{pool}#{n}"
                await self._holders.replace_one({"_id": holder}, {"pool": pool, "seat": seat, "info": info},
                                                upsert=True)
                try:
                    await self._seats.insert_one({"_id": seat, "pool": pool, "holder": holder, "info": info,
                                                  "taken_at": utcnow()})
                    return True
                except DuplicateKeyError:
                    continue
            if attempt == 0:
                taken = {int(seat["_id"].rsplit("#", 1)[1])
                         async for seat in self._seats.find({"pool": pool}, {"_id": 1})}
                free = [n for n in range(capacity) if n not in taken and n not in free]
        return False

    async def taken_before(self, pool: str, cutoff: datetime) -> list[dict[str, Any]]:
        """The seats of ``pool`` taken before ``cutoff`` (to reclaim the seats of crashed holders)."""
        return await self._seats.find({"pool": pool, "taken_at": {"$lt": cutoff}}).to_list()

    async def free(self, seat: str, holder: str) -> bool:
        """Give back ``seat`` if ``holder`` still holds it."""
        return (await self._seats.delete_one({"_id": seat, "holder": holder})).deleted_count > 0

    async def count(self, pool: str) -> int:
        return await self._seats.count_documents({"pool": pool})

    async def release(self, holder: str) -> None:
        """Give back the seat ``holder`` holds, if any."""
        found = await self._holders.find_one({"_id": holder})
        if found is None:
            return
        await self.free(found["seat"], holder)
        await self._holders.delete_one({"_id": holder, "seat": found["seat"]})
