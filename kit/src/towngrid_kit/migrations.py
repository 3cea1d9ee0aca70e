"""One-time data migrations at start-up, apart from index creation.

A store or projection that changed its layout copies its old data once when a process starts:
``await once(db, "<store>:<what>", migrate)`` runs ``migrate`` unless ``store_migrations``
records ``<store>:<what>`` as done, then records it. Processes starting together may both run
it, so a migration must be idempotent (upserts, inserts that tolerate a duplicate key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

MIGRATIONS = "store_migrations"


async def once(db: AsyncDatabase, key: str, migrate: Callable[[], Awaitable[None]]) -> None:
    done = db[MIGRATIONS]
    if await done.find_one({"_id": key}) is not None:
        return
    await migrate()
    try:
        await done.insert_one({"_id": key, "at": datetime.now(UTC)})
    except DuplicateKeyError:
        pass  # another process did it at the same time
