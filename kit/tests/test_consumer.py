"""One handler through FastStream's in-memory broker (acks are not testable here; the real
stack tests cover commits)."""

import json
import uuid
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from towngrid_contracts.envelope import Envelope, envelope_for
from towngrid_contracts.registry import QuarantineEnded
from towngrid_kit.consumer import ConsumerPolicy, EventConsumer, EventHandlers

TOPIC = QuarantineEnded.topic


def ended(resident_id: str = "res_1") -> bytes:
    data = QuarantineEnded(resident_id=resident_id, quarantine_id="qua_1", ended_at=datetime.now(UTC), outcome="released")
    return envelope_for(data, aggregate_id=resident_id, aggregate_version=3).model_dump_json().encode()


def build(fail_times: int):
    broker = KafkaBroker()
    applied: list[str] = []
    attempts: list[int] = []
    dead: list[tuple[bytes, dict]] = []
    handlers = EventHandlers()

    @handlers.on(QuarantineEnded)
    async def on_ended(event: QuarantineEnded, envelope: Envelope) -> None:
        attempts.append(1)
        if len(attempts) <= fail_times:
            raise RuntimeError("store said no")
        applied.append(event.resident_id)

    consumer = EventConsumer(broker, handlers, ConsumerPolicy(group="demo", max_retries=2, backoff_s=0))

    @broker.subscriber(TOPIC + ".dlq")
    async def capture(msg: KafkaMessage) -> None:
        dead.append((msg.body, dict(msg.headers)))

    return broker, consumer, applied, attempts, dead


async def test_event_is_applied_after_a_transient_failure() -> None:
    broker, consumer, applied, attempts, dead = build(fail_times=1)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(ended(), topic=TOPIC, key=b"res_1")
    assert applied == ["res_1"] and len(attempts) == 2 and dead == [] and consumer.dead_lettered == 0


async def test_repeated_failure_goes_to_the_dlq_with_the_reason() -> None:
    broker, consumer, applied, attempts, dead = build(fail_times=99)
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(ended(), topic=TOPIC, key=b"res_1")
        await test_broker.publish(b"not json at all", topic=TOPIC, key=b"res_2")
    assert applied == [] and len(attempts) == 3  # one try and two retries
    assert consumer.dead_lettered == 2
    reasons = [headers["x-dlq-reason"] for _, headers in dead]
    assert "RuntimeError: store said no" in reasons[0] and "malformed envelope" in reasons[1]
    assert all(headers["x-dlq-consumer-group"] == "demo" for _, headers in dead)


async def test_unknown_type_is_skipped() -> None:
    broker, consumer, applied, attempts, dead = build(fail_times=0)
    other = json.loads(ended())
    other["event_type"] = "registry.something.else"
    other["event_id"] = str(uuid.uuid4())
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(json.dumps(other).encode(), topic=TOPIC, key=b"res_1")
    assert applied == [] and attempts == [] and dead == [] and consumer.processed == 1
