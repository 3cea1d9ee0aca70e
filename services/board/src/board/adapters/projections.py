"""The board's own database: one state per aggregate, versioned, and a change marker.

- ``states``: ``_id`` ``<kind>:<aggregate id>``, the aggregate's ``state`` (``domain.rules``)
  and the ``version`` (the event's ``aggregate_version``) it was last changed by. An event whose
  version is not newer than the stored one changes nothing: a redelivery is never counted twice.
  One aggregate's events come in order on one partition, handled one at a time, so the read
  before the conditional write sees the state the write replaces; the condition on the version
  keeps a redelivery (or a second consumer after a rebalance) from applying it again.
- ``board_meta``: ``changes`` counts the events handled (redeliveries too: it is only the api's
  signal to look again) and keeps the latest ``occurred_at`` seen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_kit.mongo import update_if
from board.domain import rules

STATES = "states"
META = "board_meta"
CHANGES = "changes"


class Projections:
    def __init__(self, db: AsyncDatabase, tz: timezone) -> None:
        self.states = db[STATES]
        self.meta = db[META]
        self.tz = tz

    async def apply(self, envelope: Envelope, event: Any, topic: str) -> bool:  # noqa: ANN401 - a contracts model
        """Apply one event to its aggregate's state; True when it changed it."""
        kind = rules.KINDS[topic]
        key = f"{kind}:{envelope.aggregate_id}"
        version = envelope.aggregate_version
        found = await self.states.find_one({"_id": key})
        applied = False
        if rules.newer(found["version"] if found else None, version):
            state = rules.apply(found["state"] if found else None, envelope.event_type, event, envelope.occurred_at,
                                self.tz)
            applied = await update_if(self.states, key, {"version": {"$lt": version}},
                                      {"$set": {"kind": kind, "state": state, "version": version}}, upsert=True)
        await self.meta.update_one({"_id": CHANGES}, {"$inc": {"seq": 1}, "$max": {"last_event_at": envelope.occurred_at}},
                                   upsert=True)
        return applied

    async def changes(self) -> tuple[int, datetime | None]:
        found = await self.meta.find_one({"_id": CHANGES}) or {}
        last = found.get("last_event_at")
        return found.get("seq", 0), last.replace(tzinfo=UTC) if last and last.tzinfo is None else last

    async def all_states(self) -> list[tuple[str, dict[str, Any]]]:
        return [(doc["kind"], {**doc["state"], "_id": doc["_id"].split(":", 1)[1]})
                async for doc in self.states.find({}, {"kind": 1, "state": 1})]
