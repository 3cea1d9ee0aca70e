"""Kit pieces against the real database of the local stack (FerretDB, or MongoDB in containers):
conditional updates, versioned projections and ids filed under a key."""

from __future__ import annotations

import asyncio
import uuid

from collections.abc import AsyncIterator

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from e2e_support import System
from towngrid_kit.keyed_ids import KeyedIds
from towngrid_kit.mongo import update_if
from towngrid_kit.projection import apply_versioned, apply_versioned_read


@pytest.fixture
async def db(system: System) -> AsyncIterator[AsyncDatabase]:
    async with system.database("kit_test") as found:
        yield found


async def test_concurrent_filings_under_one_key_are_all_kept_once(db) -> None:
    filing = KeyedIds(db[f"keyed_{uuid.uuid4().hex[:8]}"])
    ids = [f"p{n:02d}" for n in range(12)]
    await asyncio.gather(*(filing.file("holder", i) for i in ids), *(filing.file("holder", i) for i in ids[:4]))
    filed = await filing.ids("holder")
    assert sorted(filed) == ids  # each once, none lost to a concurrent filing
    await filing.file("holder", "p03")
    assert await filing.ids("holder") == filed
    assert await filing.ids("nobody") == []


async def test_a_conditional_update_applies_only_when_its_condition_holds(db) -> None:
    docs = db[f"cond_{uuid.uuid4().hex[:8]}"]
    assert await update_if(docs, "a", {"version": {"$lt": 2}}, {"$set": {"version": 2}}, upsert=True)
    assert not await update_if(docs, "a", {"version": {"$lt": 2}}, {"$set": {"version": 2, "x": 1}}, upsert=True)
    assert await update_if(docs, "a", {"version": {"$lt": 3}}, {"$set": {"version": 3}})
    assert not await update_if(docs, "missing", {"version": {"$lt": 3}}, {"$set": {"version": 3}})
    assert await docs.find_one({"_id": "a"}) == {"_id": "a", "version": 3}
    assert await docs.find_one({"_id": "missing"}) is None


async def test_a_versioned_projection_ignores_an_older_or_repeated_event(db) -> None:
    docs = db[f"proj_{uuid.uuid4().hex[:8]}"]
    applied, doc = await apply_versioned_read(docs, "r", 2, {"status": "in"}, event_id="e2")
    assert applied and doc == {"_id": "r", "status": "in", "version": 2, "applied_events": ["e2"]}
    applied, doc = await apply_versioned_read(docs, "r", 2, {"status": "in"}, event_id="e2")
    assert not applied and doc["applied_events"] == ["e2"]
    assert not await apply_versioned(docs, "r", 1, {"status": "old"}, event_id="e1")
    applied, doc = await apply_versioned_read(docs, "r", 3, {"status": "out"}, event_id="e3")
    assert applied and doc["status"] == "out" and doc["applied_events"] == ["e2", "e3"]
