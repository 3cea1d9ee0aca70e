"""Generated bad payloads on a real topic, then a good event behind them: every bad one lands in
the DLQ (or, for an event type the consumer does not know, is skipped), the good one is applied,
and the consumer group commits past all of them. The decision logic is property-tested in
``kit/tests/test_consumer_properties.py``; this is the same on Kafka and FerretDB.

The payloads are drawn with Hypothesis (a fixed seed, so a failure reproduces) and all carry one
fresh key, so they sit in one partition, in order, ahead of the good event.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bad_events import NEVER_VALID, REQUIRED_ENVELOPE, encoded, unparsable, without
from e2e_support import System, eventually, produce_many, read_topic, wait_consumed
from permits_support import roster_doc

pytestmark = pytest.mark.stack

TOPIC = "registry.resident.v1"
DLQ = "registry.resident.v1.dlq"
GROUP = "permits"  # the permits worker keeps a quarantine roster from this topic
BATCH = 40
DEAD, SKIPPED = "dead_lettered", "skipped"
REQUIRED_DATA = ("resident_id", "quarantine_id", "household_id", "compound_id", "kind", "started_at", "planned_end")


def started(resident_id: str) -> dict:
    data = {"resident_id": resident_id, "quarantine_id": "qua_bad_events", "household_id": "hh_bad_events",
            "compound_id": "C01-001", "kind": "home", "started_at": datetime.now(UTC).isoformat(),
            "planned_end": "2030-01-01"}
    return {"event_id": str(uuid.uuid4()), "event_type": "registry.quarantine.started", "event_version": 1,
            "occurred_at": datetime.now(UTC).isoformat(), "producer": "registry", "aggregate_id": resident_id,
            "aggregate_version": 1, "correlation_id": str(uuid.uuid4()), "causation_id": None, "data": data}


def bad_payloads(rid: str) -> st.SearchStrategy[tuple[str, bytes]]:
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                               lambda inner: st.lists(inner, max_size=3), max_leaves=6)
    return st.one_of(
        st.binary(max_size=100).filter(unparsable).map(lambda b: (DEAD, b)),
        st.binary(min_size=1, max_size=30).map(lambda b: (DEAD, b'{"event_type": "\xff' + b + b'"}')),
        json_values.map(lambda v: (DEAD, encoded(v))),
        st.integers(1_000, 100_000).map(lambda n: (DEAD, b"[" * n + b"]" * n)),
        st.integers(100_000, 400_000).map(lambda n: (DEAD, b'{"event_type": "' + b"x" * n)),
        st.sampled_from(REQUIRED_ENVELOPE).map(lambda name: (DEAD, encoded(without(started(rid), name)))),
        st.tuples(st.sampled_from(REQUIRED_ENVELOPE), st.sampled_from(NEVER_VALID)).map(
            lambda p: (DEAD, encoded(started(rid) | {p[0]: p[1]}))),
        st.sampled_from(REQUIRED_DATA).map(
            lambda name: (DEAD, encoded(started(rid) | {"data": without(started(rid)["data"], name)}))),
        st.tuples(st.sampled_from(REQUIRED_DATA), st.sampled_from(NEVER_VALID)).map(
            lambda p: (DEAD, encoded(started(rid) | {"data": started(rid)["data"] | {p[0]: p[1]}}))),
        st.text(min_size=1, max_size=30).filter(lambda t: not t.startswith("registry.")).map(
            lambda t: (SKIPPED, encoded(started(rid) | {"event_type": t}))),
    )


def draw(strategy: st.SearchStrategy, count: int) -> list:
    """``count`` examples of ``strategy`` (Hypothesis as a generator, with a fixed seed)."""
    drawn: list = []

    @seed(20261130)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(example: object) -> None:
        drawn.append(example)

    collect()
    return drawn[:count]


async def test_generated_bad_events_are_dead_lettered_and_the_good_one_behind_them_is_applied(system: System) -> None:
    rid = f"res_bad_events_{uuid.uuid4().hex}"
    key = rid.encode()
    batch = draw(bad_payloads(rid), BATCH)
    assert len(batch) == BATCH
    good = encoded(started(rid))
    placed = await produce_many(system.kafka, TOPIC, [(key, body) for _, body in batch] + [(key, good)])

    async def applied() -> dict | None:
        doc = await roster_doc(system, rid)
        return doc if doc and doc["in_quarantine"] else None

    assert (await eventually(applied, timeout=120))["quarantine_id"] == "qua_bad_events"
    await wait_consumed(system.kafka, GROUP, TOPIC, *placed[-1], timeout=60)

    expected_dead = [(offset, body) for (kind, body), (_, offset) in zip(batch, placed) if kind == DEAD]

    def mine(records: list) -> list:  # noqa: ANN001 - every consumer group of the topic dead-letters its own copy
        return [r for r in records if r.key == key and r.headers.get("x-dlq-consumer-group") == GROUP]

    dead = mine(await read_topic(system.kafka, DLQ, until=lambda rs: len(mine(rs)) >= len(expected_dead),
                                 timeout=60))
    assert len(dead) == len(expected_dead)
    assert [(int(r.headers["x-dlq-source-offset"]), r.value) for r in dead] == expected_dead
    assert all(r.headers["x-dlq-source-topic"] == TOPIC and r.headers["x-dlq-reason"] for r in dead)
    assert len(expected_dead) >= BATCH // 2  # the draw really is mostly poison
