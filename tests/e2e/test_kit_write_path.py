"""The kit's write path used directly on the real stack (FerretDB, and Kafka for the relay):
``AggregateStore`` commits and loads, ``OutboxRelay`` publishes. Services use both through
their repositories; these tests pin the guarantees the services rely on, on a store of their own
(a fresh name per test) and a test topic.

A crash is played either for real (a relay process armed with ``relay.after_publish`` SIGKILLs
itself) or, where the kit has no crash point (between the relay marker and the commit, between
the commit and the refresh of the current document), by leaving the database in the state such
a crash leaves: a marker with no commit, a current document a version behind its commits.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from e2e_support import System, read_all
from towngrid_contracts.envelope import EventData
from towngrid_kit.commits import AggregateStore, AlreadyApplied, commit_id, current_request
from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.kafka_producer import RelayProducer
from towngrid_kit.kafka_topics import ensure_topics
from towngrid_kit.relay import OutboxRelay

TOPIC = "kittest.thing.v1"
DATABASE = "kit_write_path"


class ThingChanged(EventData, event_type="kittest.thing.changed", topic=TOPIC):
    n: int


def changed(*numbers: int) -> list[ThingChanged]:
    return [ThingChanged(n=n) for n in numbers]


@pytest.fixture
async def db(system: System) -> AsyncIterator[AsyncDatabase]:
    async with system.database(DATABASE) as found:
        yield found


@pytest.fixture
async def store(db: AsyncDatabase) -> AggregateStore:
    made = AggregateStore(db, f"things_{uuid.uuid4().hex[:10]}")
    await made.ensure_indexes([("status", 1)])
    return made


@pytest.fixture
async def topic(system: System) -> str:
    await ensure_topics(system.kafka, [TOPIC], 3, options=system.kafka_login_as("admin"))
    return TOPIC


@pytest.fixture
async def relay_for(db: AsyncDatabase, system: System) -> AsyncIterator:
    """Relays built as a worker builds its one (``towngrid_kit.worker``): the relay's own producer,
    logged in (here as the admin: the test topic belongs to no service)."""
    producers: list[RelayProducer] = []

    def make(store: AggregateStore) -> OutboxRelay:
        producer = RelayProducer(system.kafka, "kittest-relay", system.kafka_login_as("admin"))
        producers.append(producer)
        return OutboxRelay(db, [store.name], producer.publish, owner=f"kittest:{os.getpid()}", service="kittest")

    yield make
    for producer in producers:
        await producer.close()


def thing_id() -> str:
    return f"thing_{uuid.uuid4().hex[:12]}"


async def published(system: System, aggregate_id: str) -> list[dict]:
    """The envelopes on the test topic keyed ``aggregate_id``, in the order they were read."""
    return [r.json for r in await read_all(system.kafka, TOPIC) if r.key == aggregate_id.encode()]


async def stored_event_ids(store: AggregateStore, aggregate_id: str) -> list[str]:
    commits = [await store.commits.find_one({"_id": c["_id"]}) for c in await store.history(aggregate_id)]
    return [entry["envelope"]["event_id"] for c in commits for entry in c["outbox"]]


# --- AggregateStore ------------------------------------------------------------------------------

async def test_a_commit_is_loaded_back_with_its_events_numbered_and_its_query_fields_kept(store) -> None:
    tid = thing_id()
    assert await store.load(tid) is None
    assert await store.commit(tid, 0, {"n": 1}, changed(1), index_fields={"status": "new"}) == 1
    assert await store.commit(tid, 1, {"n": 3}, changed(2, 3), index_fields={"status": "done"}) == 3
    assert await store.load(tid) == ({"n": 3}, 3)
    history = await store.history(tid)
    assert [c["_id"] for c in history] == [commit_id(tid, 1), commit_id(tid, 2)]
    assert [[e["envelope"]["aggregate_version"] for e in c["outbox"]] for c in history] == [[1], [2, 3]]
    assert [e["envelope"]["data"]["n"] for c in history for e in c["outbox"]] == [1, 2, 3]
    assert await store.ids({"status": "done"}) == [tid] and await store.ids({"status": "new"}) == []
    assert await store.current.find_one({"_id": tid}) == {"_id": tid, "state": {"n": 3}, "version": 3,
                                                           "status": "done"}
    assert await store.pending.count_documents({}) == 2, "each commit marked for the relay"


async def test_commits_on_the_same_base_version_store_exactly_one(store) -> None:
    tid = thing_id()
    await store.commit(tid, 0, {"by": "first"}, changed(0))
    writers = [f"w{n}" for n in range(8)]
    outcomes = await asyncio.gather(*(store.commit(tid, 1, {"by": w}, changed(n)) for n, w in enumerate(writers)),
                                    return_exceptions=True)
    won = [w for w, o in zip(writers, outcomes, strict=True) if o == 2]
    lost = [o for o in outcomes if isinstance(o, ConcurrentModification)]
    assert len(won) == 1 and len(lost) == len(writers) - 1, outcomes
    assert await store.load(tid) == ({"by": won[0]}, 2), "the state stored is the winner's"
    history = await store.history(tid)
    assert [c["version"] for c in history] == [1, 2]
    assert [e["envelope"]["data"]["n"] for e in history[1]["outbox"]] == [writers.index(won[0])]
    assert await store.current.find_one({"_id": tid}, {"_id": 0, "state": 1}) == {"state": {"by": won[0]}}


async def test_one_request_commits_its_change_once_however_often_it_is_retried(store) -> None:
    tid = thing_id()
    token = current_request.set(f"req-{uuid.uuid4().hex}")
    try:
        assert await store.commit(tid, 0, {"n": 1}, changed(1)) == 1
        # retried from the same base (its first answer lost) or after loading the state it stored
        for base in (0, 1):
            with pytest.raises(AlreadyApplied) as done:
                await store.commit(tid, base, {"n": 2}, changed(2))
            assert (done.value.aggregate_id, done.value.version) == (tid, 1)
    finally:
        current_request.reset(token)
    assert await store.load(tid) == ({"n": 1}, 1)
    assert await store.commit(tid, 1, {"n": 2}, changed(2)) == 2, "another request changes it as usual"
    with pytest.raises(ConcurrentModification):  # without a request key a collision is a conflict
        await store.commit(tid, 1, {"n": 9}, changed(9))


async def test_a_current_document_behind_its_commits_is_never_taken_for_the_latest_and_is_repaired(store) -> None:
    tid = thing_id()
    await store.commit(tid, 0, {"n": 1}, changed(1), index_fields={"status": "new"})
    await store.commit(tid, 1, {"n": 2}, changed(2), index_fields={"status": "done"})
    # what a crash (or a busy database) between the second commit and its refresh leaves
    await store.current.replace_one({"_id": tid}, {"state": {"n": 1}, "version": 1, "status": "new"})
    await store.fields.replace_one({"_id": tid}, {"version": 1, "status": "new"})
    assert await store.ids({"status": "new"}) == [tid], "the query fields lag"

    assert await store.load(tid) == ({"n": 2}, 2), "load follows the chain of commits"
    with pytest.raises(ConcurrentModification):  # the lagging version is no base for a change
        await store.commit(tid, 1, {"n": 9}, changed(9))

    latest = await store.commits.find_one({"_id": commit_id(tid, 2)})
    assert await store.refresh_if_behind(latest) is True
    assert await store.current.find_one({"_id": tid}) == {"_id": tid, "state": {"n": 2}, "version": 2,
                                                           "status": "done"}
    assert await store.ids({"status": "done"}) == [tid] and await store.ids({"status": "new"}) == []
    assert await store.refresh_if_behind(latest) is False, "nothing to do once it is up to date"
    first = await store.commits.find_one({"_id": commit_id(tid, 1)})
    assert await store.refresh_if_behind(first) is False
    assert (await store.current.find_one({"_id": tid}))["version"] == 2, "an older commit never takes it back"


# --- OutboxRelay ---------------------------------------------------------------------------------

async def test_the_relay_publishes_each_aggregate_in_version_order_and_repairs_lagging_fields(
        system: System, store, topic: str, relay_for) -> None:
    a, b = sorted([thing_id(), thing_id()])
    await store.commit(a, 0, {"n": 1}, changed(1), index_fields={"status": "new"})
    await store.commit(b, 0, {"n": 10}, changed(10), index_fields={"status": "new"})
    await store.commit(a, 1, {"n": 3}, changed(2, 3), index_fields={"status": "new"})
    await store.commit(a, 3, {"n": 4}, changed(4), index_fields={"status": "done"})
    await store.current.replace_one({"_id": a}, {"state": {"n": 3}, "version": 3, "status": "new"})  # refresh lost
    await store.fields.replace_one({"_id": a}, {"version": 3, "status": "new"})

    relay = relay_for(store)
    assert await relay.drain_once() == 5
    on_topic = await published(system, a)
    assert [e["aggregate_version"] for e in on_topic] == [1, 2, 3, 4]
    assert [e["data"]["n"] for e in on_topic] == [1, 2, 3, 4]
    assert [e["event_id"] for e in on_topic] == await stored_event_ids(store, a), "the stored events, as stored"
    assert [e["aggregate_version"] for e in await published(system, b)] == [1]
    assert await store.pending.count_documents({}) == 0, "every marker removed"
    assert await store.current.find_one({"_id": a}) == {"_id": a, "state": {"n": 4}, "version": 4, "status": "done"}
    assert await store.ids({"status": "done"}) == [a]

    assert await relay.drain_once() == 0
    assert len(await published(system, a)) == 4, "nothing published twice"


async def test_a_relay_killed_after_publishing_publishes_again_with_the_same_event_ids(
        system: System, store, topic: str, relay_for) -> None:
    tid = thing_id()
    await store.commit(tid, 0, {"n": 1}, changed(1))
    await store.commit(tid, 1, {"n": 3}, changed(2, 3))
    doomed = await asyncio.to_thread(run_relay_process, system, store.name, "relay.after_publish")
    assert doomed.returncode == -9, doomed.stderr
    first = await published(system, tid)
    assert [e["aggregate_version"] for e in first] == [1, 2, 3], "published before the crash"
    assert await store.pending.count_documents({}) == 2, "the markers outlive the crash"

    assert await relay_for(store).drain_once() == 3
    again = await published(system, tid)
    assert [e["aggregate_version"] for e in again] == [1, 2, 3, 1, 2, 3]
    assert [e["event_id"] for e in again[3:]] == [e["event_id"] for e in first], "a repeat, never a new event"
    assert [e["event_id"] for e in first] == await stored_event_ids(store, tid)
    assert await store.pending.count_documents({}) == 0
    assert await relay_for(store).drain_once() == 0


async def test_a_marker_without_its_commit_holds_back_only_its_aggregate_and_its_version_is_reused(
        system: System, store, topic: str, relay_for) -> None:
    stuck, other = thing_id(), thing_id()
    await store.commit(stuck, 0, {"n": 1}, changed(1))
    # what a crash between the marker and the commit of version 2 leaves
    await store.pending.insert_one({"_id": commit_id(stuck, 2), "marked_at": datetime.now(UTC)})
    await store.commit(other, 0, {"n": 7}, changed(7))

    relay = relay_for(store)
    assert await relay.drain_once() == 2
    assert [e["aggregate_version"] for e in await published(system, stuck)] == [1]
    assert [e["aggregate_version"] for e in await published(system, other)] == [1]
    assert [m["_id"] for m in await store.pending.find().to_list()] == [commit_id(stuck, 2)]
    assert await relay.drain_once() == 0, "skipped while it has no commit"
    assert await store.load(stuck) == ({"n": 1}, 1)

    assert await store.commit(stuck, 1, {"n": 2}, changed(2)) == 2, "the next change takes the version"
    assert await relay.drain_once() == 1
    assert [e["aggregate_version"] for e in await published(system, stuck)] == [1, 2]
    assert await store.pending.count_documents({}) == 0


RELAY_PROCESS = """
import asyncio, json, os
from towngrid_kit.faults import FaultPoints
from towngrid_kit.kafka_producer import RelayProducer
from towngrid_kit.mongo import connect
from towngrid_kit.relay import OutboxRelay

args = json.loads(os.environ["KITTEST_RELAY"])

async def main():
    client, db = connect(args["mongo_url"], args["database"])
    producer = RelayProducer(args["kafka"], "kittest-relay-doomed", args["login"])
    relay = OutboxRelay(db, [args["store"]], producer.publish, owner="doomed", faults=FaultPoints(args["fault"]))
    await relay.drain_once()
    await producer.close()
    await client.close()

asyncio.run(main())
"""


def run_relay_process(system: System, store_name: str, fault: str) -> subprocess.CompletedProcess:
    """One relay cycle in a process of its own, armed to SIGKILL itself at ``fault``."""
    args = {"mongo_url": system.mongo_url, "database": DATABASE, "kafka": system.kafka,
            "login": system.kafka_login_as("admin"), "store": store_name, "fault": fault}
    return subprocess.run([sys.executable, "-c", RELAY_PROCESS], env={**os.environ, "KITTEST_RELAY": json.dumps(args)},
                          capture_output=True, text=True, timeout=120)
