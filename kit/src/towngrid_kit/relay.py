"""The outbox relay: publishes the events of unpublished commits to Kafka, then marks them.

The commits marked in each store's small ``<name>_outbox`` collection are read in ``_id``
order (``<aggregate_id>@<version>``), so one aggregate's events are published in version
order, keyed by the aggregate id (one partition, in order). A batch's events are all handed
to the producer in that order and then awaited together (the idempotent producer keeps their
order within a partition, and refuses a later batch of a partition whose earlier one failed).
A commit is marked published only after Kafka acknowledged all the batch's events (producer
``acks=all``, idempotent). A crash before that re-publishes them on the next run (same
``event_id``: consumers ignore the repeat); nothing is published for a change that was not
stored, because the events exist only inside the stored commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit import observability
from towngrid_kit.commits import AggregateStore
from towngrid_kit.faults import FaultPoints
from towngrid_kit.lease import Lease
from towngrid_kit.migrations import once
from towngrid_kit.mongo import UNAVAILABLE_ERRORS

log = logging.getLogger(__name__)

FAILING_WAIT_MAX_S = 5.0  # the longest pause between cycles that fail
CONCURRENT_READS = 32  # commits read at once in a cycle

Message = tuple[str, bytes, bytes, dict[str, str]]  # topic, key, value, headers
# Sends the messages in their order and returns once Kafka acknowledged every one (or raises).
Publish = Callable[[list[Message]], Awaitable[None]]


def message_of(entry: dict[str, Any]) -> Message:
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
        stores: Sequence[str],
        publish: Publish,
        *,
        owner: str,
        poll_interval_s: float = 0.1,
        idle_poll_max_s: float = 0.5,
        batch_size: int = 200,
        faults: FaultPoints | None = None,
        heartbeat: Path | None = None,
        service: str = "",
    ) -> None:
        self._stores = [AggregateStore(db, name) for name in stores]
        self._publish = publish
        self._lease = Lease(db["relay_lease"], "outbox-relay", owner)
        self._poll = poll_interval_s
        self._idle_max = max(idle_poll_max_s, poll_interval_s)
        self._batch = batch_size
        self._faults = faults or FaultPoints()
        self._heartbeat = heartbeat
        self._service = service
        self._backlog_measured_at = 0.0
        self.published = 0

    async def migrate(self) -> None:
        """Mark the unpublished commits of a store from before markers existed (they carry
        ``published: False``; a commit that was published lost its marker then): one scan, once
        per store."""
        for store in self._stores:
            async def mark(store: AggregateStore = store) -> None:
                async for commit in store.commits.find({"published": False}, {"_id": 1, "committed_at": 1}):
                    try:
                        await store.pending.insert_one({"_id": commit["_id"], "marked_at": commit["committed_at"]})
                    except DuplicateKeyError:
                        pass

            await once(store.current.database, f"{store.name}:markers", mark)

    async def run(self, stop: asyncio.Event) -> None:
        wait = self._poll
        while not stop.is_set():
            if self._heartbeat is not None:
                self._heartbeat.touch()
            failed = True
            try:
                sent = await self.drain_once() if await self._lease.acquire() else 0
                await self._measure_backlog()
                failed = False
            except UNAVAILABLE_ERRORS as error:
                log.warning("relay: database unavailable (%s); retrying in %.1f s", error, wait)
                sent = 0
            except Exception:
                log.exception("relay: publish cycle failed; retrying in %.1f s", wait)
                sent = 0
            if sent == 0 or failed:
                try:
                    await asyncio.wait_for(stop.wait(), wait)
                except TimeoutError:
                    pass
                # idle: look less often; failing (the broker or the database away): try less often
                wait = min(wait * 2, FAILING_WAIT_MAX_S if failed else self._idle_max)
            else:
                wait = self._poll
        await self._lease.release()

    async def drain_once(self) -> int:
        """Publish what is pending now; return how many events were published."""
        total = 0
        for store in self._stores:
            total += await self._drain(store)
        self.published += total
        return total

    async def _measure_backlog(self, every_s: float = 5.0) -> None:
        """Set the backlog gauges (unpublished commits, age of the oldest) every few seconds."""
        now = time.monotonic()
        if now - self._backlog_measured_at < every_s:
            return
        self._backlog_measured_at = now
        count, oldest = 0, None
        for store in self._stores:
            count += await store.pending.count_documents({})
            first = await store.pending.find_one({}, sort=[("marked_at", 1)])
            if first is not None and (oldest is None or first["marked_at"] < oldest):
                oldest = first["marked_at"]
        observability.OUTBOX_BACKLOG.labels(self._service).set(count)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        observability.OUTBOX_OLDEST_AGE.labels(self._service).set(max(age, 0.0))

    async def _drain(self, store: AggregateStore) -> int:
        """Publish a batch of one store's marked commits, each aggregate's in version order.

        An aggregate stops at a marker whose commit is not there (still being written, or its
        writer died: the next change reuses it). After Kafka acknowledged the batch, the current
        state of each aggregate is made sure of at its latest commit (the command that stored it
        may have died or failed before refreshing it), then the markers are removed: removing
        its marker is what records a commit as published; the commit itself is never rewritten
        (on FerretDB an update rewrites the whole document, state and events included). A crash
        between the publish and the removal publishes the commits again; consumers drop the
        repeats by event id. The markers go in one ``$in`` delete: the outbox holds only what is
        not yet published, so even where ``$in`` is not served by an index it reads a few
        small documents, where a delete per commit would be one write each."""
        marked = [m["_id"] for m in await store.pending.find({}, {"_id": 1}).sort("_id", 1).limit(self._batch).to_list()]
        if not marked:
            return 0
        gate = asyncio.Semaphore(CONCURRENT_READS)

        async def read(commit_id: str) -> dict[str, Any] | None:
            async with gate:
                return await store.commits.find_one({"_id": commit_id}, {"outbox": 1, "state": 1, "aggregate_id": 1,
                                                                         "version": 1, "current_fields": 1})

        ready: list[dict[str, Any]] = []
        waiting: set[str] = set()
        for commit_id, commit in zip(marked, await asyncio.gather(*(read(i) for i in marked)), strict=True):
            aggregate_id = commit_id.rsplit("@", 1)[0]
            if commit is None:
                waiting.add(aggregate_id)
            elif aggregate_id not in waiting:
                ready.append(commit)
        if not ready:
            return 0
        entries = [entry for commit in ready for entry in commit["outbox"]]
        self._faults.crash_at("relay.before_publish")
        await self._publish([message_of(entry) for entry in entries])
        for entry in entries:
            observability.EVENTS_PUBLISHED.labels(self._service, entry["topic"]).inc()
        self._faults.crash_at("relay.after_publish")
        latest = {commit["aggregate_id"]: commit for commit in ready}  # the last of each aggregate is what counts
        await asyncio.gather(*(store.refresh_if_behind(commit) for commit in latest.values()))
        await store.pending.delete_many({"_id": {"$in": [commit["_id"] for commit in ready]}})
        return len(entries)
