"""Who is in quarantine, as this service knows it: a projection of the registry's events.

Built only from ``QuarantineStarted`` and ``QuarantineEnded`` (no call to the registry, no
read of its database). One document per resident keeps the last ``aggregate_version`` it
applied, so a redelivered or replayed event changes nothing.
"""

from __future__ import annotations


from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_contracts.registry import QuarantineEnded, QuarantineStarted
from towngrid_kit.grid import within_compounds
from towngrid_kit.mongo import page_by_id
from towngrid_kit.projection import apply_versioned

COLLECTION = "quarantine_roster"


class QuarantineRoster:
    def __init__(self, db: AsyncDatabase) -> None:
        self._roster = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        await self._roster.create_index([("in_quarantine", ASCENDING), ("_id", ASCENDING)])

    async def started(self, event: QuarantineStarted, envelope: Envelope) -> bool:
        return await apply_versioned(self._roster, event.resident_id, envelope.aggregate_version, {
            "in_quarantine": True,
            "quarantine_id": event.quarantine_id,
            "compound_id": event.compound_id,
            "kind": event.kind,
            "since": event.started_at,
            "planned_end": event.planned_end.isoformat(),
            "ended_at": None,
        }, event_id=str(envelope.event_id))

    async def ended(self, event: QuarantineEnded, envelope: Envelope) -> bool:
        return await apply_versioned(self._roster, event.resident_id, envelope.aggregate_version, {
            "in_quarantine": False,
            "quarantine_id": event.quarantine_id,
            "ended_at": event.ended_at,
        }, event_id=str(envelope.event_id))

    async def get(self, resident_id: str) -> dict[str, Any] | None:
        return await self._roster.find_one({"_id": resident_id})

    async def page(self, in_quarantine: bool | None, after: str | None, limit: int,
                   compounds: list[str] | None = None) -> list[dict[str, Any]]:
        """A page by resident id; with ``compounds``, only residents of those compounds (grid scope)."""
        query = within_compounds(compounds)
        if in_quarantine is not None:
            query["in_quarantine"] = in_quarantine
        return await page_by_id(self._roster, query, after, limit)


