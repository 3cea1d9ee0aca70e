"""Aggregates stored as an insert-only log of commits: the state and its events, at once.

Each command that changes an aggregate inserts ONE commit document holding the aggregate's
new state and the events the change caused (the outbox). Its ``_id`` is
``<aggregate_id>@<first new version>``, so two commands based on the same version collide
on the unique ``_id`` and only one is stored (optimistic concurrency). Nothing is ever
updated by a command.

Why insert-only: FerretDB 1.x (our local MongoDB) applies an update as a read followed by
a write without a transaction, so two concurrent updates of one document can lose one
(measured: 40 concurrent ``$inc`` gave 6). A unique insert is atomic on FerretDB and on
MongoDB alike, so this design is correct on both.

The relay publishes the events of the commits marked in ``<name>_outbox`` in ``_id`` order
(so per aggregate, in version order) and then removes each one's marker: a commit document is
never updated. The latest state of every aggregate is also kept in a ``current``
collection, for queries; reads of one aggregate use its latest commit, which is
authoritative. The command refreshes the current document right after its commit, and the
relay makes sure of it again when it publishes the commit (``refresh_if_behind``), so a
refresh lost to a crash or a busy database is repaired within a relay cycle.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from towngrid_contracts.envelope import EventData, envelope_for
from towngrid_kit import observability
from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.migrations import once
from towngrid_kit.mongo import update_if

log = logging.getLogger(__name__)

COMMITS_SUFFIX = "_commits"
OUTBOX_SUFFIX = "_outbox"
FIELDS_SUFFIX = "_fields"
VERSION_WIDTH = 12

# The Idempotency-Key request being served (set by ``idempotency``): a commit records it, and
# a unique index lets a request's effect be stored once however often the request is retried.
current_request: ContextVar[str | None] = ContextVar("current_request", default=None)


@contextmanager
def outside_request() -> Iterator[None]:
    """Commits made within carry no request key: for a change one request may make twice to the
    same aggregate (a take and the return of it), or one its retry must make again because what
    the request stored last is what answers it (a retry then finds the later commit's key)."""
    token = current_request.set(None)
    try:
        yield
    finally:
        current_request.reset(token)


class AlreadyApplied(Exception):
    """This request's change was stored before (its first answer was lost, e.g. in a crash)."""

    def __init__(self, aggregate_id: str, version: int) -> None:
        super().__init__(f"{aggregate_id} v{version}")
        self.aggregate_id = aggregate_id
        self.version = version


def commit_id(aggregate_id: str, first_version: int) -> str:
    return f"{aggregate_id}@{first_version:0{VERSION_WIDTH}d}"


def outbox_entries(
    aggregate_id: str, base_version: int, events: Sequence[EventData], correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """Envelopes for ``events``, numbered on from ``base_version``, ready to store.

    Without explicit ids they carry the correlation of the request or event being handled
    (``observability.correlation``) and, when an event caused them, that event as causation.
    """
    correlation_id = correlation_id or observability.correlation.get() or uuid.uuid4()
    causation_id = causation_id or observability.causation.get()
    entries = []
    for offset, data in enumerate(events, start=1):
        envelope = envelope_for(
            data, aggregate_id=aggregate_id, aggregate_version=base_version + offset, correlation_id=correlation_id,
            causation_id=causation_id,
        )
        entries.append({"topic": data.topic, "key": aggregate_id, "envelope": envelope.model_dump(mode="json")})
    return entries


class AggregateStore:
    """The commits of one kind of aggregate (``<name>_commits``), its current states (``<name>``),
    the current version and query fields of each without its state (``<name>_fields``) and the
    markers of commits the relay has yet to publish (``<name>_outbox``).

    Queries on anything but ``_id`` go to ``<name>_fields`` (``ids``, ``current_docs``,
    ``fields``): FerretDB 1.24 pushes only an exact ``_id`` filter down to SQLite and decodes
    every document of the collection for any other filter, so the small documents there are
    what keeps a query cheap (measured on 2,500 residents: 3.1 s with the states, 0.08 s
    without). On MongoDB the same queries use the indexes made on ``fields``.
    """

    def __init__(self, db: AsyncDatabase, name: str) -> None:
        self.name = name
        self.commits = db[name + COMMITS_SUFFIX]
        self.current = db[name]
        self.fields = db[name + FIELDS_SUFFIX]
        self.pending = db[name + OUTBOX_SUFFIX]

    async def ensure_indexes(self, *field_indexes: list[tuple[str, int]]) -> None:
        """The unique request key of commits and the given indexes on ``fields``."""
        await self.commits.create_index("request_key", unique=True)
        for keys in field_indexes:
            await self.fields.create_index(keys)

    async def migrate(self) -> None:
        """Once: the fields of a store written before ``fields`` existed, copied from the current documents."""
        async def copy_fields() -> None:
            async for doc in self.current.find({}, {"state": 0}):
                await self._refresh_fields(doc["_id"], doc.get("version", 0),
                                           {k: v for k, v in doc.items() if k not in ("_id", "version")})

        await once(self.current.database, f"{self.name}:fields", copy_fields)

    # --- queries on the query fields (never a scan of the states) ----------------------------
    async def ids(self, query: dict[str, Any], *, limit: int = 0, sort: list[tuple[str, int]] | None = None) -> list[str]:
        """The ids of the aggregates whose query fields match ``query``, in ``_id`` order (or ``sort``)."""
        cursor = self.fields.find(query, {"_id": 1}).sort(sort or [("_id", 1)]).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def current_docs(self, query: dict[str, Any], *, limit: int = 0,
                           sort: list[tuple[str, int]] | None = None) -> list[dict[str, Any]]:
        """The current documents (``state``, ``version``, query fields) of the aggregates whose
        query fields match ``query``, in ``_id`` order (or ``sort``): the ids from ``fields``,
        then each document by its ``_id``."""
        ids = await self.ids(query, limit=limit, sort=sort)
        found = await asyncio.gather(*(self.current.find_one({"_id": i}) for i in ids))
        return [doc for doc in found if doc is not None]

    async def load(self, aggregate_id: str) -> tuple[dict[str, Any], int] | None:
        """The latest state of the aggregate and its version, or None.

        Starts from the current-state document and follows the chain of commits from there
        (commit ``<id>@<v+1>`` follows version v), so a current document that lags its commits
        (a crash between the two writes) is never taken for the latest.
        """
        current = await self.current.find_one({"_id": aggregate_id}, {"state": 1, "version": 1})
        state, version = (current["state"], current["version"]) if current else (None, 0)
        while (newer := await self.commits.find_one({"_id": commit_id(aggregate_id, version + 1)},
                                                    {"state": 1, "version": 1})) is not None:
            state, version = newer["state"], newer["version"]
        return (state, version) if state is not None else None

    async def history(self, aggregate_id: str) -> list[dict[str, Any]]:
        """Every commit of the aggregate, oldest first (without the states)."""
        found, version = [], 0
        while (commit := await self.commits.find_one({"_id": commit_id(aggregate_id, version + 1)},
                                                     {"state": 0})) is not None:
            found.append(commit)
            version = commit["version"]
        return found

    async def commit(
        self,
        aggregate_id: str,
        base_version: int,
        state: dict[str, Any],
        events: Sequence[EventData],
        *,
        correlation_id: uuid.UUID | None = None,
        index_fields: dict[str, Any] | None = None,
    ) -> int:
        """Store the new state and its events; return the new version.

        Raises ConcurrentModification when another command stored a change based on the same
        version first. ``index_fields`` are extra top-level fields of the current-state
        document, for queries (never personal data the events must not carry: these stay here).
        """
        if not events:
            raise ValueError("a change without events is not recorded; every change is a fact others may need")
        entries = outbox_entries(aggregate_id, base_version, events, correlation_id)
        version = base_version + len(entries)
        request = current_request.get()
        request_key = f"{request}#{self.name}:{aggregate_id}" if request else None
        new_id = commit_id(aggregate_id, base_version + 1)
        # The relay's marker goes first: a crash after it and before the commit leaves a marker
        # with no commit, which the relay skips (and the next change of this aggregate reuses);
        # the other order could leave a commit nobody publishes.
        try:
            await self.pending.insert_one({"_id": new_id, "marked_at": datetime.now(UTC)})
        except DuplicateKeyError:
            pass  # a concurrent command or a crashed one marked this version; the commit decides
        try:
            await self.commits.insert_one({
                "_id": new_id,
                "request_key": request_key or new_id,
                "aggregate_id": aggregate_id,
                "version": version,
                "state": state,
                "outbox": entries,
                "current_fields": index_fields or {},
                "committed_at": datetime.now(UTC),
            })
        except DuplicateKeyError as error:
            earlier = await self.commits.find_one({"request_key": request_key}) if request_key else None
            if earlier is not None:
                raise AlreadyApplied(earlier["aggregate_id"], earlier["version"]) from error
            raise ConcurrentModification(f"{self.name} {aggregate_id} was changed concurrently; retry") from error
        # The change is stored: from here on nothing may make the request look failed. The
        # current-state document is a read model; if refreshing it fails (the database busy or
        # gone for a moment), the relay refreshes it when it publishes this commit.
        try:
            await self.refresh_current(aggregate_id, version, state, index_fields or {})
        except PyMongoError as error:
            log.warning("%s %s v%d stored; its current state is left to the relay (%s)", self.name, aggregate_id,
                        version, error)
        return version

    async def refresh_if_behind(self, commit: dict[str, Any]) -> bool:
        """Bring the current and fields documents up to ``commit`` (a commit document with its
        state) if they are behind; True if they were. One read by ``_id`` when they are not: the
        fields document is written after the current one and neither ever goes back a version,
        so fields at ``version`` or later means current is too."""
        aggregate_id, version = commit["aggregate_id"], commit["version"]
        fields = await self.fields.find_one({"_id": aggregate_id}, {"version": 1})
        if fields is not None and fields.get("version", 0) >= version:
            return False
        await self.refresh_current(aggregate_id, version, commit["state"], commit.get("current_fields", {}))
        return True

    async def refresh_current(self, aggregate_id: str, version: int, state: dict[str, Any], index_fields: dict[str, Any]) -> None:
        """Upsert the current-state document, then its fields, unless a newer version is already there."""
        await update_if(self.current, aggregate_id, {"version": {"$lt": version}},
                        {"$set": {"state": state, "version": version, **index_fields}}, upsert=True)
        await self._refresh_fields(aggregate_id, version, index_fields)

    async def _refresh_fields(self, aggregate_id: str, version: int, index_fields: dict[str, Any]) -> None:
        await update_if(self.fields, aggregate_id, {"version": {"$lt": version}},
                        {"$set": {"version": version, **index_fields}}, upsert=True)
