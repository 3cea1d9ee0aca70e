"""MongoDB access through PyMongo's async API (``pymongo.AsyncMongoClient``).

Motor, the older async driver, is deprecated by MongoDB; PyMongo's own async API replaces
it. Everything here works on MongoDB and on FerretDB: no multi-document transactions and
no change streams.
"""

from __future__ import annotations

from typing import Any

import logging
import os

from pymongo import ASCENDING, AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from towngrid_kit import observability

slow_log = logging.getLogger("towngrid.database")
# Commands slower than this are logged (0: none); the environment can change it for every service.
SLOW_COMMAND_MS = float(os.environ.get("TOWNGRID_SLOW_COMMAND_MS", "500"))

# Errors that mean "the database is not reachable right now", not "this input is bad".
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    ConnectionFailure,
    ServerSelectionTimeoutError,
    NetworkTimeout,
    ExecutionTimeout,
)


def is_busy(error: BaseException) -> bool:
    """FerretDB on SQLite answers SQLITE_BUSY ("database is locked") under heavy concurrent
    writes: transient, like an outage, never the input's fault."""
    text = str(error)
    return isinstance(error, OperationFailure) and ("SQLITE_BUSY" in text or "database is locked" in text)


def is_unavailable(error: BaseException) -> bool:
    return isinstance(error, UNAVAILABLE_ERRORS) or is_busy(error)


class CommandMonitor(monitoring.CommandListener):
    """Counts the database commands by name (``towngrid_database_commands_total``) and logs each
    one slower than ``threshold_ms`` (0: none): its name, collection and the *names* of the
    fields it filters on (never their values: personal data stays out of logs)."""

    def __init__(self, threshold_ms: float) -> None:
        self._threshold_us = threshold_ms * 1000 if threshold_ms > 0 else float("inf")
        self._started: dict[int, tuple[str, dict[str, Any]]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        observability.DATABASE_COMMANDS.labels(event.command_name).inc()
        if len(self._started) > 10_000:
            self._started.clear()  # a reply lost with its connection; never grow without bound
        self._started[event.request_id] = (event.command_name, event.command)  # described only if slow

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event.request_id, event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finish(event.request_id, event.duration_micros)

    def _finish(self, request_id: int, duration_us: int) -> None:
        started = self._started.pop(request_id, None)
        if started is not None and duration_us >= self._threshold_us:
            slow_log.info("slow database command: %s %.0f ms", _shape(*started), duration_us / 1000)


def _shape(name: str, command: dict[str, Any]) -> str:
    """The command's name, collection and the names of the fields it filters on."""
    target = command.get(name)
    query = command.get("filter") or command.get("query")
    if query is None and isinstance(command.get("updates"), list) and command["updates"]:
        query = command["updates"][0].get("q")
    if query is None and isinstance(command.get("deletes"), list) and command["deletes"]:
        query = command["deletes"][0].get("q")
    shape = sorted(query) if isinstance(query, dict) else []
    return f"{name} {target if isinstance(target, str) else ''} {shape}"


def connect(url: str, database: str, *, timeout_ms: int = 5000,
            slow_command_ms: float = SLOW_COMMAND_MS) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        event_listeners=[CommandMonitor(slow_command_ms)],
    )
    return client, client[database]


async def ping(db: AsyncDatabase) -> None:
    await db.command("ping")


# --- conditional updates of one document ---------------------------------------------------------
# One code path on MongoDB and FerretDB: the condition is part of the filter, next to ``_id``.
# The local FerretDB is built with our patch (devstack/patches), which looks such a filter up by
# the ``_id`` index; the published 1.24.2 scanned the collection for any filter but a bare ``_id``.


async def update_if(
    collection: AsyncCollection,
    key: str,
    condition: dict[str, Any],
    update: dict[str, Any],
    *,
    upsert: bool = False,
) -> bool:
    """Apply ``update`` to document ``key`` if it matches ``condition`` or, with ``upsert``, if it
    does not exist; True if applied. (An upsert of a document that exists and does not match
    collides on ``_id``: not applied.)"""
    try:
        result = await collection.update_one({"_id": key, **condition}, update, upsert=upsert)
    except DuplicateKeyError:
        return False  # it exists and does not match
    return result.modified_count > 0 or result.upserted_id is not None


async def page_by_id(collection: AsyncCollection, query: dict[str, Any], after: str | None, limit: int,
                     projection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A page of the documents matching ``query`` in ``_id`` order, those after ``after`` (a list's
    cursor: the last id of the page before)."""
    if after:
        query = {**query, "_id": {"$gt": after}}
    return await collection.find(query, projection).sort("_id", ASCENDING).limit(limit).to_list()
