"""Property: whatever bytes arrive on a topic, the consumer either applies the event, skips it
(an event type it does not handle) or dead-letters it, and goes on with the next message.

Hypothesis generates streams of payloads of known kinds (well-formed events, bytes that are
not JSON, JSON that is not an envelope, envelopes missing a field or with a field of the wrong
type, unknown event types, payloads missing a field, huge strings, deep nesting), each ending
with a good event, and feeds them through FastStream's in-memory broker. The real-stack
version is ``tests/e2e/test_bad_events.py``.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_events import NEVER_VALID, REQUIRED_ENVELOPE, encoded, unparsable, without
from towngrid_contracts.envelope import Envelope, envelope_for
from towngrid_contracts.registry import QuarantineEnded
from towngrid_kit.consumer import ConsumerPolicy, EventConsumer, EventHandlers

TOPIC = QuarantineEnded.topic
APPLIED, SKIPPED, DEAD = "applied", "skipped", "dead_lettered"
REQUIRED_DATA = ("resident_id", "quarantine_id", "ended_at", "outcome")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
NEVER_VALID_INT = (*NEVER_VALID, -1, 0, 1.5)  # (a number is a valid timestamp, so only for the int fields)
INT_FIELDS = ("event_version", "aggregate_version")


def never_valid(name: str) -> st.SearchStrategy:
    return st.sampled_from(NEVER_VALID_INT if name in INT_FIELDS else NEVER_VALID)


def good_envelope(resident_id: str) -> dict:
    data = QuarantineEnded(resident_id=resident_id, quarantine_id="qua_1", ended_at=datetime.now(UTC),
                           outcome="released")
    return envelope_for(data, aggregate_id=resident_id, aggregate_version=2).model_dump(mode="json")


ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=24).map(lambda t: f"res_{t}")

well_formed = ids.map(lambda rid: (APPLIED, encoded(good_envelope(rid))))
huge_but_valid = st.integers(100_000, 600_000).map(lambda n: (APPLIED, encoded(good_envelope("res_" + "h" * n))))
not_json = st.binary(max_size=200).filter(unparsable).map(lambda b: (DEAD, b))
bad_utf8 = st.binary(min_size=1, max_size=50).map(lambda b: (DEAD, b'{"event_id": "\xff\xfe' + b + b'"}'))
json_not_an_object = json_values.filter(lambda v: not isinstance(v, dict)).map(lambda v: (DEAD, encoded(v)))
any_json_object = st.dictionaries(st.sampled_from(["foo", "event", "type", "payload"]), json_values, max_size=4).map(
    lambda d: (DEAD, encoded(d)))
deep = st.integers(1_000, 200_000).flatmap(
    lambda n: st.sampled_from([b"[" * n + b"]" * n, b'{"data": ' + b"[" * n + b"]" * n + b"}", b"{" * n]).map(
        lambda body: (DEAD, body)))
missing_envelope_field = st.tuples(ids, st.sampled_from(REQUIRED_ENVELOPE)).map(
    lambda p: (DEAD, encoded(without(good_envelope(p[0]), p[1]))))
wrong_envelope_type = st.tuples(ids, st.sampled_from(REQUIRED_ENVELOPE).flatmap(
    lambda name: st.tuples(st.just(name), never_valid(name)))).map(
    lambda p: (p[0], p[1][0], p[1][1])).map(
    lambda p: (DEAD, encoded(good_envelope(p[0]) | {p[1]: p[2]})))
unknown_type = st.tuples(ids, st.text(min_size=1, max_size=40)).filter(
    lambda p: p[1] != QuarantineEnded.event_type).map(
    lambda p: (SKIPPED, encoded(good_envelope(p[0]) | {"event_type": p[1]})))
missing_data_field = st.tuples(ids, st.sampled_from(REQUIRED_DATA)).map(
    lambda p: (DEAD, encoded(good_envelope(p[0]) | {"data": without(good_envelope(p[0])["data"], p[1])})))
wrong_data_type = st.tuples(ids, st.sampled_from(REQUIRED_DATA), st.sampled_from(NEVER_VALID)).map(
    lambda p: (DEAD, encoded(good_envelope(p[0]) | {"data": good_envelope(p[0])["data"] | {p[1]: p[2]}})))
huge_garbage = st.integers(100_000, 900_000).map(lambda n: (DEAD, b'{"event_type": "' + b"x" * n))

payloads = st.one_of(well_formed, huge_but_valid, not_json, bad_utf8, json_not_an_object, any_json_object, deep,
                     missing_envelope_field, wrong_envelope_type, unknown_type, missing_data_field,
                     wrong_data_type, huge_garbage)


async def raw(message: object) -> bytes:  # the test's DLQ reader must not parse the bodies either
    return message.body  # type: ignore[attr-defined]


async def feed(bodies: list[bytes]) -> tuple[EventConsumer, list[str], list[bytes]]:
    broker = KafkaBroker()
    applied: list[str] = []
    dead: list[bytes] = []
    handlers = EventHandlers()

    @handlers.on(QuarantineEnded)
    async def on_ended(event: QuarantineEnded, envelope: Envelope) -> None:
        applied.append(str(envelope.event_id))

    consumer = EventConsumer(broker, handlers, ConsumerPolicy(group="demo", max_retries=1, backoff_s=0))

    @broker.subscriber(TOPIC + ".dlq", decoder=raw)
    async def capture(msg: KafkaMessage) -> None:
        dead.append(msg.body)

    async with TestKafkaBroker(broker) as test_broker:
        for body in bodies:
            await test_broker.publish(body, topic=TOPIC, key=b"k")
    return consumer, applied, dead


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(stream=st.lists(payloads, min_size=1, max_size=6), last=ids)
def test_every_payload_is_applied_skipped_or_dead_lettered_and_the_consumer_goes_on(
        stream: list[tuple[str, bytes]], last: str) -> None:
    good = encoded(good_envelope(last))
    bodies = [body for _, body in stream] + [good]
    consumer, applied, dead = asyncio.run(feed(bodies))

    expected_applied = [json.loads(body)["event_id"] for kind, body in stream if kind == APPLIED]
    assert applied == expected_applied + [json.loads(good)["event_id"]]  # the good one after the bad ones too
    assert dead == [body for kind, body in stream if kind == DEAD]
    assert consumer.processed == len(bodies)
    assert consumer.dead_lettered == len(dead)


def test_a_deeply_nested_message_is_dead_lettered_not_raised() -> None:
    consumer, applied, dead = asyncio.run(feed([b"[" * 100_000 + b"]" * 100_000, encoded(good_envelope("res_1"))]))
    assert len(dead) == 1 and len(applied) == 1 and consumer.processed == 2


def test_wrong_envelope_types_really_are_invalid() -> None:
    """Guards the strategy: a generated ``never_valid`` value must fail every envelope field."""
    for name in REQUIRED_ENVELOPE:
        for value in NEVER_VALID_INT if name in INT_FIELDS else NEVER_VALID:
            doc = good_envelope("res_1") | {name: value}
            if name == "data" and isinstance(value, dict):
                continue  # any object is a valid ``data`` for the envelope (the payload model rejects it)
            try:
                Envelope.model_validate(doc)
            except ValueError:
                continue
            raise AssertionError(f"{name}={value!r} was accepted")



def test_a_body_too_big_for_the_dlq_is_cut_and_says_so() -> None:
    from towngrid_kit.consumer import MAX_DLQ_BODY_BYTES

    broker = KafkaBroker()
    handlers = EventHandlers()
    handlers.on(QuarantineEnded)(lambda event, envelope: None)  # type: ignore[arg-type, return-value]
    consumer = EventConsumer(broker, handlers, ConsumerPolicy(group="demo"))
    dead: list[tuple[bytes, dict]] = []

    @broker.subscriber(TOPIC + ".dlq", decoder=raw)
    async def capture(msg: KafkaMessage) -> None:
        dead.append((msg.body, dict(msg.headers)))

    async def run() -> None:
        async with TestKafkaBroker(broker) as test_broker:
            await test_broker.publish(b"x" * (MAX_DLQ_BODY_BYTES + 5), topic=TOPIC, key=b"k")

    asyncio.run(run())
    (body, headers), = dead
    assert len(body) == MAX_DLQ_BODY_BYTES and headers["x-dlq-truncated-from-bytes"] == str(MAX_DLQ_BODY_BYTES + 5)
    assert consumer.dead_lettered == 1
