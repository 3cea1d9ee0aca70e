"""MongoDB access through PyMongo's async API (``pymongo.AsyncMongoClient``).

Motor, the older async driver, is deprecated by MongoDB; PyMongo's own async API replaces
it. Everything here works on MongoDB and on FerretDB: no multi-document transactions and
no change streams.
"""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    ConnectionFailure,
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
