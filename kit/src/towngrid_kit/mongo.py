"""MongoDB access through PyMongo's async API (``pymongo.AsyncMongoClient``).

Motor, the older async driver, is deprecated by MongoDB; PyMongo's own async API replaces
it. Everything here works on MongoDB and on FerretDB: no multi-document transactions and
no change streams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymongo import AsyncMongoClient
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


def connect(url: str, database: str, *, timeout_ms: int = 5000) -> tuple[AsyncMongoClient, AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
    )
    return client, client[database]


async def ping(db: AsyncDatabase) -> None:
    await db.command("ping")


# --- conditional updates of one document ---------------------------------------------------------
# FerretDB 1.24 pushes a filter down to SQLite only when it is exactly ``{"_id": <string>}``; an
# update filtered on ``_id`` plus a condition (``"version": {"$lt": v}``) decodes every document
# of the collection to find the one (measured: the registry's current states, 2,500 residents:
# 3 s per update). On FerretDB, where an update is a read and a write without a transaction
# anyway, the condition is checked on the document read by ``_id`` and the update filtered on
# ``_id`` alone; on MongoDB the condition stays in the filter (atomic).

_ferretdb: dict[int, bool] = {}


async def is_ferretdb(db: AsyncDatabase) -> bool:
    """Whether ``db`` is served by FerretDB (its buildInfo names a ferretdbVersion); asked once per client."""
    key = id(db.client)
    if key not in _ferretdb:
        info = await db.client.admin.command("buildInfo")
        _ferretdb[key] = "ferretdbVersion" in info
    return _ferretdb[key]


async def update_if(
    collection: AsyncCollection,
    key: str,
    condition: dict[str, Any],
    holds: Callable[[dict[str, Any]], bool],
    update: dict[str, Any],
    *,
    upsert: bool = False,
) -> bool:
    """Apply ``update`` to document ``key`` if it matches ``condition`` (``holds`` is the same
    test in Python, for FerretDB) or, with ``upsert``, if it does not exist; True if applied."""
    if not await is_ferretdb(collection.database):
        try:
            result = await collection.update_one({"_id": key, **condition}, update, upsert=upsert)
        except DuplicateKeyError:
            return False  # it exists and does not match
        return result.modified_count > 0 or result.upserted_id is not None
    found = await collection.find_one({"_id": key})
    if found is None and not upsert:
        return False
    if found is not None and not holds(found):
        return False
    try:
        result = await collection.update_one({"_id": key}, update, upsert=found is None)
    except DuplicateKeyError:
        return False  # made meanwhile by a concurrent upsert: that one applied first
    return result.modified_count > 0 or result.upserted_id is not None
