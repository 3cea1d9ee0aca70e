"""The kit's one-time data migrations (``towngrid_kit.migrations.once``) and a store's own
(``AggregateStore.migrate``: the query fields of a store written before they existed), on the
real database of the local stack."""

from __future__ import annotations

import uuid

import pytest

from e2e_support import System
from towngrid_kit.commits import AggregateStore
from towngrid_kit.migrations import MIGRATIONS, once

pytestmark = pytest.mark.stack

DATABASE = "kit_migrations"


async def test_a_migration_runs_once_and_a_failed_one_runs_again(system: System) -> None:
    key = f"things:{uuid.uuid4().hex}"
    runs: list[str] = []

    async def broken() -> None:
        runs.append("broken")
        raise RuntimeError("the database went away mid-way")

    async def migrate() -> None:
        runs.append("migrated")

    async with system.database(DATABASE) as db:
        with pytest.raises(RuntimeError):
            await once(db, key, broken)
        assert await db[MIGRATIONS].find_one({"_id": key}) is None, "a failed migration is not recorded"
        await once(db, key, migrate)
        await once(db, key, migrate)
        assert runs == ["broken", "migrated"]
        assert await db[MIGRATIONS].find_one({"_id": key}) is not None


async def test_ensure_indexes_leaves_the_data_and_migrate_copies_the_query_fields_once(system: System) -> None:
    name = f"things_{uuid.uuid4().hex[:8]}"
    async with system.database(DATABASE) as db:
        store = AggregateStore(db, name)
        # as stored before <name>_fields existed: the current documents carried the query fields
        await store.current.insert_one({"_id": "t1", "version": 2, "state": {"n": 2}, "status": "open"})
        await store.ensure_indexes([("status", 1)])
        assert await store.fields.count_documents({}) == 0, "creating indexes migrates nothing"
        await store.migrate()
        assert await store.ids({"status": "open"}) == ["t1"]
        await store.current.insert_one({"_id": "t2", "version": 1, "state": {"n": 1}, "status": "open"})
        await store.migrate()
        assert await store.ids({"status": "open"}) == ["t1"], "copied once: a later start copies nothing"
