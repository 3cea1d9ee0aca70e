"""The kit's guards against doing a thing twice, on the real database of the local stack:
conditional updates under concurrency (``update_if``), the ``Idempotency-Key`` store and the
relay's lease. Services use them through their endpoints and workers; these tests pin what they
promise, on collections of their own (a fresh name per test)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from e2e_support import System
from towngrid_contracts.envelope import EventData
from towngrid_kit.commits import AggregateStore
from towngrid_kit.errors import Conflict, InvalidInput
from towngrid_kit.idempotency import IdempotencyStore
from towngrid_kit.lease import Lease
from towngrid_kit.mongo import update_if


class ThingMade(EventData):
    event_type: ClassVar[str] = "kittest.thing.made"
    topic: ClassVar[str] = "kittest.thing.v1"
    producer: ClassVar[str] = "kittest"


@pytest.fixture
async def db(system: System) -> AsyncIterator[AsyncDatabase]:
    client = AsyncMongoClient(system.config.mongo_url, tz_aware=True)
    try:
        yield client["kit_guards"]
    finally:
        await client.close()


def fresh(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:10]}"


# --- update_if -----------------------------------------------------------------------------------

async def test_concurrent_conditional_updates_of_one_document_apply_exactly_once_each_version(db) -> None:
    docs = db[fresh("cas")]
    await docs.insert_one({"_id": "doc", "version": 0, "by": None})
    writers = 16

    async def bump(writer: int, to: int) -> bool:
        return await update_if(docs, "doc", {"version": to - 1}, {"$set": {"version": to, "by": writer}})

    for to in (1, 2, 3):  # everyone tries to move it from to-1 to to at once: one may
        applied = await asyncio.gather(*(bump(w, to) for w in range(writers)))
        assert applied.count(True) == 1, f"version {to}: {applied.count(True)} writers applied"
        doc = await docs.find_one({"_id": "doc"})
        assert doc["version"] == to and doc["by"] == applied.index(True)


async def test_concurrent_versioned_refreshes_never_take_a_document_back(db) -> None:
    """What ``refresh_current`` does when a command and the relay refresh at once: the highest
    version wins, whatever the order the updates arrive in."""
    docs = db[fresh("versioned")]
    for _round in range(5):
        key = uuid.uuid4().hex
        versions = list(range(1, 13))
        await asyncio.gather(*(update_if(docs, key, {"version": {"$lt": v}}, {"$set": {"version": v}}, upsert=True)
                               for v in versions))
        assert (await docs.find_one({"_id": key}))["version"] == max(versions)


# --- IdempotencyStore ----------------------------------------------------------------------------

class Counted:
    """An action that creates something (an aggregate committed in ``store``) and answers 201."""

    def __init__(self, store: AggregateStore, gate: asyncio.Event | None = None, fail_after: bool = False) -> None:
        self.store, self.gate, self.fail_after = store, gate, fail_after
        self.runs = 0

    async def __call__(self) -> tuple[int, Any]:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        await self.store.commit("made", 0, {"made": True}, [ThingMade()])
        if self.fail_after:
            raise RuntimeError("died after storing its change, before answering")
        return 201, {"thing_id": "made"}


@pytest.fixture
async def store(db) -> AggregateStore:
    made = AggregateStore(db, fresh("made"))
    await made.ensure_indexes()
    return made


def body_of(response) -> Any:  # noqa: ANN001
    return json.loads(response.body)


async def test_the_same_key_twice_gets_the_stored_answer_and_runs_once(db, store) -> None:
    keys = IdempotencyStore(db[fresh("idem")])
    action = Counted(store)
    first = await keys.run("k1", "things", {"a": 1}, action)
    again = await keys.run("k1", "things", {"a": 1}, action)
    assert (first.status_code, body_of(first)) == (201, {"thing_id": "made"})
    assert (again.status_code, body_of(again)) == (201, {"thing_id": "made"})
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert action.runs == 1 and len(await store.history("made")) == 1
    with pytest.raises(InvalidInput) as refused:
        await keys.run("k1", "things", {"a": 2}, action)
    assert refused.value.field == "Idempotency-Key" and action.runs == 1


async def test_a_key_still_being_processed_is_refused_until_its_answer_is_stored(db, store) -> None:
    keys = IdempotencyStore(db[fresh("idem")])
    gate = asyncio.Event()
    action = Counted(store, gate)
    first = asyncio.create_task(keys.run("k2", "things", {"a": 1}, action))
    while action.runs == 0:
        await asyncio.sleep(0.01)
    try:  # a racer let in would wait at the gate too: bounded, so that shows as a failure, not a hang
        racing = await asyncio.wait_for(asyncio.gather(
            *(keys.run("k2", "things", {"a": 1}, action) for _ in range(6)), return_exceptions=True), timeout=20)
    finally:
        gate.set()
    assert all(isinstance(r, Conflict) and "still being processed" in r.detail for r in racing), racing
    assert (await first).status_code == 201
    replayed = await keys.run("k2", "things", {"a": 1}, action)
    assert replayed.headers["Idempotent-Replayed"] == "true" and action.runs == 1


async def test_a_retry_after_an_attempt_that_stored_its_change_and_failed_answers_already_applied(db, store) -> None:
    keys = IdempotencyStore(db[fresh("idem")])
    with pytest.raises(RuntimeError):
        await keys.run("k3", "things", {"a": 1}, Counted(store, fail_after=True))
    retry = Counted(store)
    answer = await keys.run("k3", "things", {"a": 1}, retry)
    assert answer.status_code == 200 and body_of(answer)["status"] == "already_applied"
    assert (body_of(answer)["aggregate_id"], body_of(answer)["version"]) == ("made", 1)
    assert retry.runs == 1 and len(await store.history("made")) == 1, "the change is stored once"


async def test_concurrent_retries_after_a_dead_attempt_take_it_over_once(db, store) -> None:
    keys = IdempotencyStore(db[fresh("idem")], lease_s=0.5)
    with pytest.raises(RuntimeError):
        await keys.run("k4", "things", {"a": 1}, Counted(store, fail_after=True))
    gate = asyncio.Event()
    retry = Counted(store, gate)
    racing = [asyncio.create_task(keys.run("k4", "things", {"a": 1}, retry)) for _ in range(8)]
    await asyncio.sleep(0.5)
    gate.set()
    outcomes = await asyncio.gather(*racing, return_exceptions=True)
    answered = [o for o in outcomes if not isinstance(o, Exception)]
    assert retry.runs == 1, f"{retry.runs} retries took the dead attempt over: {outcomes}"
    assert len(answered) == 1 and all(isinstance(o, Conflict) for o in outcomes if o not in answered)


# --- Lease ---------------------------------------------------------------------------------------

async def test_a_lease_has_one_holder_at_a_time_and_passes_on_when_it_expires(db) -> None:
    leases = db[fresh("lease")]
    first, second = Lease(leases, "relay", "first", ttl_s=2.0), Lease(leases, "relay", "second", ttl_s=2.0)
    assert await first.acquire()
    assert not await second.acquire()
    await asyncio.sleep(1.2)  # past half its time: the holder renews
    assert await first.acquire() and not await second.acquire()
    await asyncio.sleep(1.2)  # within the renewed time: still the holder's
    assert not await second.acquire()
    await asyncio.sleep(1.5)  # the holder stopped renewing: it expires
    assert await second.acquire()
    assert not await first.acquire(), "the old holder does not take it back"
    await second.release()
    assert await first.acquire(), "released: free at once"


async def test_many_candidates_for_a_free_lease_get_one_holder(db) -> None:
    leases = db[fresh("lease")]
    for round_ in range(5):
        candidates = [Lease(leases, f"relay-{round_}", f"owner-{n}", ttl_s=30) for n in range(10)]
        won = await asyncio.gather(*(c.acquire() for c in candidates))
        assert won.count(True) == 1, f"round {round_}: {won.count(True)} holders"
        holder = await leases.find_one({"_id": f"relay-{round_}"})
        assert holder["owner"] == f"owner-{won.index(True)}"
