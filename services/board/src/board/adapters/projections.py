"""The board's own database: one state per aggregate, versioned, and a change marker.

- ``states``: ``_id`` ``<kind>:<aggregate id>``, the aggregate's ``state`` (``domain.rules``)
  and the ``version`` (the event's ``aggregate_version``) it was last changed by. An event whose
  version is not newer than the stored one changes nothing: a redelivery is never counted twice.
  One aggregate's events come in order on one partition, handled one at a time, so the read
  before the conditional write sees the state the write replaces; the condition on the version
  keeps a redelivery (or a second consumer after a rebalance) from applying it again.
- ``board_meta``: ``changes`` numbers the events handled (``seq``; redeliveries too: it is only
  the api's signal to look again) and keeps the latest ``occurred_at`` seen.
- ``board_changed``: the notes "seq n changed state k", ``NOTES_PER_DOC`` to a document
  (``_id`` ``changed:<seq // NOTES_PER_DOC>``), so the api reads what changed by ``_id`` only
  (``domain.feed``), never a scan of the states. The oldest are dropped past ``NOTES_KEPT``; an
  api that far behind loads every state again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from collections.abc import Iterable
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_kit.mongo import update_if
from board.domain import rules

STATES = "states"
META = "board_meta"
CHANGED = "board_changed"
CHANGES = "changes"
NOTES_PER_DOC = 256
NOTES_KEPT = 400 * NOTES_PER_DOC


def notes_id(seq: int) -> str:
    return f"changed:{seq // NOTES_PER_DOC}"


class Projections:
    def __init__(self, db: AsyncDatabase, tz: timezone) -> None:
        self.states = db[STATES]
        self.meta = db[META]
        self.changed = db[CHANGED]
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
        # Numbered and noted only once the state is stored (a redelivery too, so a note lost to a
        # crash before it is written again under a new number).
        counted = await self.meta.find_one_and_update(
            {"_id": CHANGES}, {"$inc": {"seq": 1}, "$max": {"last_event_at": envelope.occurred_at}},
            upsert=True, return_document=ReturnDocument.AFTER)
        seq = counted["seq"]
        await self.changed.update_one({"_id": notes_id(seq)}, {"$set": {f"notes.s{seq}": key}}, upsert=True)
        if seq % NOTES_PER_DOC == 0 and seq > NOTES_KEPT:
            await self.changed.delete_one({"_id": notes_id(seq - NOTES_KEPT)})
        return applied

    async def changes(self) -> tuple[int, datetime | None]:
        found = await self.meta.find_one({"_id": CHANGES}) or {}
        last = found.get("last_event_at")
        return found.get("seq", 0), last.replace(tzinfo=UTC) if last and last.tzinfo is None else last

    async def all_states(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Every state: key -> (kind, state)."""
        return {doc["_id"]: _kept(doc) async for doc in self.states.find({}, {"kind": 1, "state": 1})}

    async def notes(self, first: int, last: int) -> dict[int, str] | None:
        """The notes from seq ``first`` to ``last`` found so far (seq -> state key); None when some
        were dropped already (the caller is too far behind: load every state)."""
        if last - first >= NOTES_KEPT // 2:  # (half: the worker may drop more while this reads)
            return None
        found: dict[int, str] = {}
        for n in range(first // NOTES_PER_DOC, last // NOTES_PER_DOC + 1):
            doc = await self.changed.find_one({"_id": f"changed:{n}"})
            found.update((int(seq[1:]), key) for seq, key in (doc or {}).get("notes", {}).items())
        return {seq: key for seq, key in found.items() if first <= seq <= last}

    async def states_of(self, keys: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """The states of ``keys`` (key -> (kind, state)), each read by its ``_id``."""
        found = {}
        for key in keys:
            doc = await self.states.find_one({"_id": key}, {"kind": 1, "state": 1})
            if doc is not None:
                found[key] = _kept(doc)
        return found


def _kept(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return doc["kind"], {**doc["state"], "_id": doc["_id"].split(":", 1)[1]}
