"""Conditional updates of one document are atomic on the real database of the local stack, as
the kit's guards assume (``update_if``, versioned projections, the relay's ``Lease``): several
clients (connections of their own) race on one document, and each condition is met once.

On FerretDB 1.24 an update, findAndModify or delete read the document, then wrote it in a
separate step: two racers could both match one version and both apply, the loser's change lost.
The local FerretDB is built with patches/ferretdb-1.24.2-atomic-update.patch (devstack); MongoDB
does this by itself."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from e2e_support import System
from towngrid_kit.lease import Lease
from towngrid_kit.mongo import update_if
from towngrid_kit.projection import apply_versioned_read

CLIENTS = 4
TASKS_PER_CLIENT = 4
# Documents of some size (a projection with its list of applied events): FerretDB took a while
# between its read and its write, so racers overlapped there even on a busy machine.
BULK = {"history": [{"n": n, "event": f"e{n:05d}"} for n in range(500)]}


@pytest.fixture
async def dbs(system: System) -> AsyncIterator[list[AsyncDatabase]]:
    """The same database through ``CLIENTS`` clients of their own (one client may queue its
    commands on few connections)."""
    async with AsyncExitStack() as opened:
        yield [await opened.enter_async_context(system.database("atomic_updates")) for _ in range(CLIENTS)]


def fresh(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:10]}"


def racers(dbs: list[AsyncDatabase]) -> list[AsyncDatabase]:
    """One database handle per racing task, spread over the clients."""
    return [db for db in dbs for _ in range(TASKS_PER_CLIENT)]


async def test_compare_and_set_with_update_if_applies_once_per_version(dbs) -> None:
    """Each racer reads the version and moves it on by one if it still has it (``update_if``):
    each version is won once, and every move reported applied is in the document."""
    name = fresh("cas")
    await dbs[0][name].insert_one({"_id": "doc", "version": 0, "moves": 0, **BULK})

    async def move_on(db: AsyncDatabase, racer: int) -> list[int]:
        won = []
        for _ in range(15):
            version = (await db[name].find_one({"_id": "doc"}, {"version": 1}))["version"]
            if await update_if(db[name], "doc", {"version": version},
                               {"$set": {"version": version + 1, "by": racer}, "$inc": {"moves": 1}}):
                won.append(version + 1)
        return won

    won = [v for per_racer in await asyncio.gather(*(move_on(db, n) for n, db in enumerate(racers(dbs))))
           for v in per_racer]
    doc = await dbs[0][name].find_one({"_id": "doc"})
    assert sorted(won) == list(range(1, doc["version"] + 1)), f"{len(won)} moves applied, {doc['version']} versions"
    assert doc["moves"] == doc["version"]


async def test_claims_with_find_one_and_update_never_exceed_the_stock(dbs) -> None:
    name = fresh("stock")
    await dbs[0][name].insert_one({"_id": "stock", "left": 60, **BULK})

    async def claim(db: AsyncDatabase) -> int:
        return sum([await db[name].find_one_and_update({"_id": "stock", "left": {"$gt": 0}},
                                                       {"$inc": {"left": -1}}) is not None for _ in range(8)])

    claimed = sum(await asyncio.gather(*(claim(db) for db in racers(dbs))))
    assert (claimed, (await dbs[0][name].find_one({"_id": "stock"}))["left"]) == (60, 0)


async def test_concurrent_versioned_refreshes_each_applied_once_and_never_back(dbs) -> None:
    """What a projection does when a command and the relay refresh it at once
    (``apply_versioned_read``, a findAndModify): it ends at the highest version, and each refresh
    reported applied is in its list of applied events."""
    name = fresh("versioned")
    for round_ in range(10):
        key = f"doc{round_}"
        await dbs[0][name].insert_one({"_id": key, "version": 0, "applied_events": [], **BULK})
        outcomes = await asyncio.gather(*(apply_versioned_read(db[name], key, v, {"v": v}, event_id=f"e{v}")
                                          for v, db in enumerate(racers(dbs), start=1)))
        applied = [f"e{v}" for v, (done, _doc) in enumerate(outcomes, start=1) if done]
        doc = await dbs[0][name].find_one({"_id": key})
        assert doc["version"] == len(outcomes), f"round {round_}: left at {doc['version']}"
        assert sorted(doc["applied_events"]) == sorted(applied), f"round {round_}: refreshes lost"


async def test_many_candidates_for_an_expired_lease_get_one_holder(dbs) -> None:
    name = fresh("lease")
    for round_ in range(10):
        relay = f"relay-{round_}"
        await dbs[0][name].insert_one({"_id": relay, "owner": "gone", "expires_at": datetime.now(UTC) - timedelta(seconds=1),
                                       **BULK})
        candidates = [Lease(db[name], relay, f"owner-{n}", ttl_s=30) for n, db in enumerate(racers(dbs))]
        won = await asyncio.gather(*(c.acquire() for c in candidates))
        assert won.count(True) == 1, f"round {round_}: {won.count(True)} holders"
        assert (await dbs[0][name].find_one({"_id": relay}))["owner"] == f"owner-{won.index(True)}"
