"""The kit's guards against doing a thing twice, on the real database of the local stack:
conditional updates under concurrency (``update_if``), the ``Idempotency-Key`` store and the
relay's lease. Services use them through their endpoints and workers; these tests pin what they
promise, on collections of their own (a fresh name per test). Conditional updates of a document
that exists, raced by several clients (one per version, projections never taken back, one holder
of an expired lease), are in test_conditional_update_atomic.py."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from starlette.requests import Request

from e2e_support import System
from towngrid_contracts.envelope import EventData
from towngrid_kit.commits import AggregateStore
from towngrid_kit.errors import Conflict, InvalidInput
from towngrid_kit.auth import caller_at, current_caller
from towngrid_kit.ids import new_id
from towngrid_kit.idempotency import IdempotencyStore, Once
from towngrid_kit.lease import Lease
from towngrid_kit.mongo import update_if


class ThingMade(EventData, event_type="kittest.thing.made", topic="kittest.thing.v1"):
    """An event with no fields of its own."""


@pytest.fixture
async def db(system: System) -> AsyncIterator[AsyncDatabase]:
    async with system.database("kit_guards") as found:
        yield found


def fresh(name: str) -> str:
    return f"{name}_{uuid.uuid4().hex[:10]}"


# --- update_if -----------------------------------------------------------------------------------

async def test_concurrent_first_writes_of_a_document_apply_once(db) -> None:
    """Many conditional upserts of a document that does not exist yet: one creates it, the others
    collide on ``_id`` and are not applied."""
    docs = db[fresh("first")]
    for _round in range(5):
        key = uuid.uuid4().hex
        applied = await asyncio.gather(*(update_if(docs, key, {"version": {"$lt": 1}}, {"$set": {"version": 1, "by": w}},
                                                   upsert=True) for w in range(16)))
        assert applied.count(True) == 1, f"{applied.count(True)} writers created it"
        assert (await docs.find_one({"_id": key}))["by"] == applied.index(True)


# --- IdempotencyStore ----------------------------------------------------------------------------

class Counted:
    """An action that creates something (a new aggregate committed in ``store``) and answers 201."""

    def __init__(self, store: AggregateStore, gate: asyncio.Event | None = None, fail_after: bool = False,
                 thing_id: str | None = None) -> None:
        self.store, self.gate, self.fail_after, self.thing_id = store, gate, fail_after, thing_id
        self.runs = 0

    async def __call__(self) -> tuple[int, Any]:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        thing_id = self.thing_id or new_id("made")  # minted as a service mints the id of a new aggregate
        await self.store.commit(thing_id, 0, {"made": True}, [ThingMade()])
        if self.fail_after:
            raise RuntimeError("died after storing its change, before answering")
        return 201, {"thing_id": thing_id}


@pytest.fixture
async def store(db) -> AggregateStore:
    made = AggregateStore(db, fresh("made"))
    await made.ensure_indexes()
    return made


def body_of(response) -> Any:  # noqa: ANN001
    return json.loads(response.body)


async def test_the_same_key_twice_gets_the_stored_answer_and_runs_once(db, store) -> None:
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    keys = IdempotencyStore(db[fresh("idem")])
    action = Counted(store)
    first = await keys.run("k1", "things", {"a": 1}, action)
    again = await keys.run("k1", "things", {"a": 1}, action)
    assert first.status_code == 201 and body_of(first)["thing_id"].startswith("made_")
    assert (again.status_code, body_of(again)) == (201, body_of(first))
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert action.runs == 1 and await store.commits.count_documents({}) == 1
    with pytest.raises(InvalidInput) as refused:
        await keys.run("k1", "things", {"a": 2}, action)
    assert refused.value.field == "Idempotency-Key" and action.runs == 1


async def test_a_route_s_created_command_runs_once_and_a_replayed_one_is_closed_unrun(db, store) -> None:
    """``once.created(body, work, view)``: the first request runs ``work`` and answers 201 with the
    view of what it made; a replay, or a refused reuse of the key, never starts its ``work``."""
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    keys = IdempotencyStore(db[fresh("idem")])
    app = SimpleNamespace(state=SimpleNamespace(idempotency=keys))
    request = Request({"type": "http", "method": "POST", "path": "/things", "query_string": b"", "headers": [],
                       "scheme": "http", "server": ("test", 80), "app": app})
    once = Once(request, idempotency_key="k-created")
    action = Counted(store)

    async def make() -> str:  # a use case's call: it makes a thing and returns its id
        _, made = await action()
        return made["thing_id"]

    first = await once.created({"a": 1}, make(), lambda thing_id: {"thing_id": thing_id, "shown": True})
    assert first.status_code == 201 and body_of(first)["shown"] is True and action.runs == 1
    replay_work, refused_work = make(), make()
    again = await once.created({"a": 1}, replay_work, lambda thing_id: {"thing_id": thing_id})
    assert again.headers["Idempotent-Replayed"] == "true" and body_of(again) == body_of(first)
    with pytest.raises(InvalidInput):
        await once.created({"a": 2}, refused_work, lambda thing_id: {"thing_id": thing_id})
    assert inspect.getcoroutinestate(replay_work) == inspect.getcoroutinestate(refused_work) == inspect.CORO_CLOSED
    assert action.runs == 1 and await store.commits.count_documents({}) == 1


async def test_keys_past_their_retention_are_forgotten_unless_an_attempt_holds_one(db, store) -> None:
    """``forget_older_than``: a key whose first attempt began before the cutoff goes with its stored
    answer, unless an attempt holds it still. A request with a forgotten key is a new request;
    the ``new_id`` ids it mints are the same, so a create it repeats collides and changes nothing."""
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    records = db[fresh("idem")]
    keys = IdempotencyStore(records)
    action = Counted(store)
    for key in ("old", "recent", "held"):
        assert (await keys.run(key, "things", {"a": 1}, action)).status_code == 201
    now = datetime.now(UTC)
    await records.update_one({"_id": {"$regex": ":old$"}}, {"$set": {"started_at": now - timedelta(hours=25)}})
    await records.update_one({"_id": {"$regex": ":held$"}}, {"$set": {  # an attempt holding it still
        "started_at": now - timedelta(hours=25), "state": "pending", "lease_until": now + timedelta(seconds=30)}})
    assert await keys.forget_older_than(now - timedelta(hours=24)) == 1
    assert sorted(doc["_id"].rsplit(":", 1)[1] for doc in await records.find({}).to_list()) == ["held", "recent"]
    again = await keys.run("recent", "things", {"a": 1}, action)
    assert again.headers["Idempotent-Replayed"] == "true" and action.runs == 3
    anew = await keys.run("old", "things", {"a": 1}, action)
    assert "Idempotent-Replayed" not in anew.headers and action.runs == 4
    assert (anew.status_code, body_of(anew)["status"]) == (200, "already_applied")
    assert await store.commits.count_documents({}) == 3


async def test_a_key_still_being_processed_is_refused_until_its_answer_is_stored(db, store) -> None:
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
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
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    """The retry changes the aggregate the first attempt changed (as the registry's registration
    of a known person does): the commit's request key stores the change once."""
    keys = IdempotencyStore(db[fresh("idem")])
    with pytest.raises(RuntimeError):
        await keys.run("k3", "things", {"a": 1}, Counted(store, fail_after=True, thing_id="made_known"))
    retry = Counted(store, thing_id="made_known")
    answer = await keys.run("k3", "things", {"a": 1}, retry)
    assert answer.status_code == 200 and body_of(answer)["status"] == "already_applied"
    assert (body_of(answer)["aggregate_id"], body_of(answer)["version"]) == ("made_known", 1)
    assert retry.runs == 1 and await store.commits.count_documents({}) == 1, "the change is stored once"


async def test_a_retry_right_after_a_failed_attempt_takes_the_key_over_at_once(db, store) -> None:
    """A failed attempt ends its lease, so a retry at once runs (here: answers already_applied),
    even within the same millisecond: the database keeps times to the millisecond, and a lease
    ended "now" was still held then (about one retry in four was refused as "still being processed")."""
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    keys = IdempotencyStore(db[fresh("idem")])
    for attempt in range(40):
        with pytest.raises(RuntimeError):
            await keys.run(f"k{attempt}", "things", {"a": 1},
                           Counted(store, fail_after=True, thing_id=f"made_{attempt}"))
        answer = await keys.run(f"k{attempt}", "things", {"a": 1}, Counted(store, thing_id=f"made_{attempt}"))
        assert body_of(answer)["status"] == "already_applied"


async def test_a_retry_of_a_create_after_an_attempt_that_stored_it_and_failed_does_not_create_it_again(
        db, store) -> None:
    current_caller.set(caller_at("127.0.0.1"))  # what the api sets for every request
    keys = IdempotencyStore(db[fresh("idem")])
    with pytest.raises(RuntimeError):
        await keys.run("k5", "things", {"a": 1}, Counted(store, fail_after=True))
    answer = await keys.run("k5", "things", {"a": 1}, Counted(store))
    assert await store.commits.count_documents({}) == 1, f"stored twice; the retry answered {answer.status_code}"
    assert body_of(answer)["status"] == "already_applied"


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
    """(An expired lease: test_conditional_update_atomic.py.)"""
    leases = db[fresh("lease")]
    for round_ in range(5):
        candidates = [Lease(leases, f"relay-{round_}", f"owner-{n}", ttl_s=30) for n in range(10)]
        won = await asyncio.gather(*(c.acquire() for c in candidates))
        assert won.count(True) == 1, f"round {round_}: {won.count(True)} holders"
        holder = await leases.find_one({"_id": f"relay-{round_}"})
        assert holder["owner"] == f"owner-{won.index(True)}"
