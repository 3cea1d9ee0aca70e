"""One handler through FastStream's in-memory broker (acks are not testable here; the real
stack tests cover commits)."""

import json
import uuid
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from towngrid_contracts.envelope import Envelope, envelope_for
from towngrid_contracts.permits import PermitSuspended
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

    @handlers.on(PermitSuspended)  # so the consumer also reads permits.permit.v1
    async def on_suspended(event: PermitSuspended, envelope: Envelope) -> None:
        applied.append(event.permit_id)

    consumer = EventConsumer(broker, handlers, ConsumerPolicy(group="demo", max_retries=2, backoff_s=0))

    @broker.subscriber(TOPIC + ".dlq")
    async def capture(msg: KafkaMessage) -> None:
        dead.append((msg.body, dict(msg.headers)))

    @broker.subscriber(PermitSuspended.topic + ".dlq")
    async def capture_permits(msg: KafkaMessage) -> None:
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


async def test_forged_events_are_dead_lettered_and_change_nothing() -> None:
    """A service may write its own topics only; with that login it must not be able to put another
    service's event type there, nor sign an event on another service's topic as its own."""
    broker, consumer, applied, attempts, dead = build(fail_times=0)
    on_wrong_topic = json.loads(ended("res_forged_1")) | {"producer": "permits"}  # the topic's owner, as a forger would
    by_wrong_producer = json.loads(ended("res_forged_2")) | {"producer": "permits"}
    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(json.dumps(on_wrong_topic).encode(), topic=PermitSuspended.topic, key=b"res_forged_1")
        await test_broker.publish(json.dumps(by_wrong_producer).encode(), topic=TOPIC, key=b"res_forged_2")
        await test_broker.publish(ended("res_genuine"), topic=TOPIC, key=b"res_genuine")
    assert applied == ["res_genuine"] and attempts == [1], "only the genuine event is applied"
    assert consumer.dead_lettered == 2 and consumer.processed == 3
    (_, first), (_, second) = dead
    assert first["x-dlq-error-type"] == "Forged" and first["x-dlq-source-topic"] == PermitSuspended.topic
    assert "registry.quarantine.ended belongs on registry.resident.v1, not on permits.permit.v1" in first["x-dlq-reason"]
    assert second["x-dlq-error-type"] == "Forged"
    assert "producer 'permits' does not own registry.resident.v1" in second["x-dlq-reason"]
