"""Use cases of the pickup points (the checkpoints): open a collection slot, list the open ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from towngrid_kit.ids import utcnow

from delivery.adapters.pickup import PickupSlots
from towngrid_kit.ids import ordered_id


class PickupService:
    def __init__(self, slots: PickupSlots) -> None:
        self._slots = slots

    async def open_slot(self, checkpoint_id: str, start: datetime, until: datetime, capacity: int) -> dict[str, Any]:
        """A new collection slot at the checkpoint, with nothing booked yet."""
        slot = {"slot_id": ordered_id("slot"), "checkpoint_id": checkpoint_id, "from": start, "until": until,
                "capacity": capacity}
        await self._slots.create(slot)
        return {**slot, "booked": 0}

    async def slots(self, checkpoint_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        """The checkpoint's slots not yet over, each with how many parcels it holds."""
        return await self._slots.page(checkpoint_id, utcnow(), after, limit)
