"""Collection slots at the checkpoints (the pickup points).

A slot is a plain document (checkpoint, from, until, capacity), written once. Booking a
parcel into a slot takes one of its ``capacity`` seats (``adapters/seats.py``) by a unique
insert, so a slot is never overbooked even when hand-overs race. A parcel keeps its seat
(it was scheduled there) whether or not it is collected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.mongo import page_by_id
from delivery.adapters.seats import Seats


class PickupSlots:
    def __init__(self, db: AsyncDatabase) -> None:
        self._slots = db["pickup_slots"]
        self._seats = Seats(db, "collection_seats")

    async def ensure_indexes(self) -> None:
        await self._slots.create_index([("checkpoint_id", ASCENDING), ("until", ASCENDING)])
        await self._seats.ensure_indexes()

    async def migrate(self) -> None:
        await self._seats.migrate_from("pickup_seats", pool_field="slot_id", info_field="pickup")

    async def create(self, slot: dict[str, Any]) -> None:
        await self._slots.insert_one({"_id": slot["slot_id"], **slot})

    async def page(self, checkpoint_id: str, ending_after: datetime, after: str | None, limit: int) -> list[dict[str, Any]]:
        query = {"checkpoint_id": checkpoint_id, "until": {"$gt": ending_after}}
        slots = await page_by_id(self._slots, query, after, limit, {"_id": 0})
        for slot in slots:
            slot["booked"] = await self._seats.count(slot["slot_id"])
        return slots

    async def book(self, checkpoint_id: str, order_id: str, now: datetime) -> dict[str, Any] | None:
        """A seat for ``order_id`` in the earliest open slot with room (the same one on a retry); None if none."""
        held = await self._seats.held(order_id)
        if held is not None:
            return held["info"]
        cursor = self._slots.find({"checkpoint_id": checkpoint_id, "until": {"$gt": now}}).sort(
            [("from", ASCENDING), ("_id", ASCENDING)])
        async for slot in cursor:
            pickup = {"checkpoint_id": checkpoint_id, "slot_id": slot["slot_id"], "from": slot["from"],
                      "until": slot["until"]}
            if await self._seats.take(slot["slot_id"], slot["capacity"], order_id, info=pickup):
                return pickup
        return None

    async def release(self, order_id: str) -> None:
        await self._seats.release(order_id)
