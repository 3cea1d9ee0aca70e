"""The outbox relay: publishes pending events to Kafka, then removes them.

For each document with ``outbox_pending``, its events are published in order (key = the
aggregate id, so one entity's events stay in one partition, in order); each is removed
only after Kafka acknowledged it (producer ``acks=all``, idempotent). A crash before the
acknowledgement re-publishes on the next run; nothing is published for a change that was
not stored, because the event exists only in the stored document.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.faults import FaultPoints
from towngrid_kit.lease import Lease
from towngrid_kit.mongo import UNAVAILABLE_ERRORS
from towngrid_kit.outbox import OUTBOX, PENDING

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[None]]


def message_of(entry: dict[str, Any]) -> tuple[str, bytes, bytes, dict[str, str]]:
    envelope = entry["envelope"]
    headers = {
        "content-type": "application/json",
        "event_type": envelope["event_type"],
        "event_id": envelope["event_id"],
    }
    value = json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()
    return entry["topic"], entry["key"].encode(), value, headers


class OutboxRelay:
    def __init__(
        self,
        db: AsyncDatabase,
        collections: Sequence[str],
        publish: Publish,
        *,
        owner: str,
        poll_interval_s: float = 0.1,
        batch_size: int = 200,
        faults: FaultPoints | None = None,
    ) -> None:
        self._db = db
        self._collections = list(collections)
        self._publish = publish
        self._lease = Lease(db["relay_lease"], "outbox-relay", owner)
        self._poll = poll_interval_s
        self._batch = batch_size
        self._faults = faults or FaultPoints()
        self.published = 0

    async def ensure_indexes(self) -> None:
        for name in self._collections:
            await self._db[name].create_index(PENDING)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await self.drain_once() if await self._lease.acquire() else 0
            except UNAVAILABLE_ERRORS as error:
                log.warning("relay: database unavailable (%s); retrying", error)
                sent = 0
            except Exception:
                log.exception("relay: publish cycle failed; retrying")
                sent = 0
            if sent == 0:
                try:
                    await asyncio.wait_for(stop.wait(), self._poll)
                except TimeoutError:
                    pass
        await self._lease.release()

    async def drain_once(self) -> int:
        """Publish what is pending now; return how many events were published."""
        total = 0
        for name in self._collections:
            collection = self._db[name]
            docs = await collection.find({PENDING: True}, {OUTBOX: 1}).limit(self._batch).to_list()
            counts = await asyncio.gather(*(self._drain_document(collection, doc) for doc in docs))
            total += sum(counts)
        self.published += total
        return total

    async def _drain_document(self, collection, doc: dict[str, Any]) -> int:
        entries = doc.get(OUTBOX) or []
        for entry in entries:
            self._faults.crash_at("relay.before_publish")
            await self._publish(*message_of(entry))
            self._faults.crash_at("relay.after_publish")
            await collection.update_one(
                {"_id": doc["_id"], f"{OUTBOX}.0.envelope.event_id": entry["envelope"]["event_id"]},
                {"$pop": {OUTBOX: -1}},
            )
        await collection.update_one({"_id": doc["_id"], OUTBOX: {"$size": 0}}, {"$set": {PENDING: False}})
        return len(entries)
