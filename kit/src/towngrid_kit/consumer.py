"""The consumer policy every service uses.

- Explicit acknowledgement (``AckPolicy.MANUAL``): the offset is committed only after the
  handler's effect is stored (or the message was dead-lettered, or skipped). Messages are
  handled one at a time, so once a message's effect is stored, every earlier message of its
  partition is done too; the offsets of what is done are committed together at most every
  ``commit_interval_s`` (a commit per message was a broker round trip per event). A crash
  before that commit redelivers those messages, which idempotent handlers ignore.
- Events are dispatched on ``event_type``; unknown types are skipped (and committed).
- A malformed message (bad JSON, bad envelope, bad payload) goes straight to ``<topic>.dlq``.
- So does a forged one: an event is trusted only from the topic its type belongs on, written
  by the service that owns that topic (both from the contracts catalogue). A service may write
  its own topics only, but it could put another service's event type there, or name another
  producer; its login alone must not let it change what other services believe.
- A handler that raises is retried ``max_retries`` times, then the message goes to the DLQ
  with the error, the consumer group and its source position in headers; the consumer
  moves on to the next message.
- While the database is unreachable the handler is retried without limit and nothing is
  committed: an outage is not the message's fault and must not dead-letter good events.

Handlers must be idempotent: a redelivered event must change nothing (see ``projection``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from aiokafka import TopicPartition
from faststream.kafka.annotations import Consumer, KafkaMessage
from pydantic import ValidationError

from towngrid_contracts.catalogue import EVENT_TYPES, TOPIC_OWNERS
from towngrid_contracts.envelope import Envelope, EventData
from towngrid_contracts.topics import DLQ_SUFFIX, dlq_topic
from towngrid_kit import observability
from towngrid_kit.mongo import is_unavailable

log = logging.getLogger(__name__)

Handler = Callable[[Any, Envelope], Awaitable[None]]


# A message near Kafka's 1 MiB limit would not fit in the DLQ with the headers added: it is cut.
MAX_DLQ_BODY_BYTES = 1_000_000


class Malformed(Exception):
    """The message can never be processed as it is."""


class Forged(Malformed):
    """The event did not come from where events of its type come from."""


@dataclass
class EventHandlers:
    """``event_type`` → (payload model, handler). Register with :meth:`on`."""

    routes: dict[str, tuple[type[EventData], Handler]] = field(default_factory=dict)

    def on(self, model: type[EventData]) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.routes[model.event_type] = (model, fn)
            return fn

        return register

    @property
    def topics(self) -> list[str]:
        return sorted({model.topic for model, _ in self.routes.values()})


def decode(body: bytes, handlers: EventHandlers, topic: str) -> tuple[Envelope, EventData] | None:
    """Parse a message that arrived on ``topic``; None for an event type this consumer does not handle."""
    try:
        envelope = Envelope.model_validate(json.loads(body))
    except (ValueError, ValidationError, RecursionError) as error:  # RecursionError: JSON nested too deep
        raise Malformed(f"malformed envelope: {error}") from error
    check_provenance(envelope, topic)
    route = handlers.routes.get(envelope.event_type)
    if route is None:
        return None
    model, _ = route
    try:
        return envelope, model.model_validate(envelope.data)
    except ValidationError as error:
        raise Malformed(f"malformed {envelope.event_type} payload: {error}") from error


def check_provenance(envelope: Envelope, topic: str) -> None:
    """Raise :class:`Forged` unless the topic's owner wrote the envelope and its event type
    belongs on this topic. A type the catalogue does not know (a newer producer's) passes, to
    be skipped: only its producer is checked."""
    model = EVENT_TYPES.get(envelope.event_type)
    if model is not None and model.topic != topic:
        raise Forged(f"forged event: {envelope.event_type} belongs on {model.topic}, not on {topic}")
    owner = TOPIC_OWNERS.get(topic)
    if owner is None:
        raise Forged(f"forged event: no service publishes on {topic}")
    if envelope.producer != owner:
        raise Forged(f"forged event: producer {envelope.producer!r} does not own {topic} (its owner is {owner})")


async def _raw_body(message: Any) -> bytes:  # noqa: ANN401 - FastStream's StreamMessage
    """FastStream decodes every body before the handler runs (JSON by default), and a body it
    cannot decode (nested too deep, bad UTF-8 under a JSON content type) would fail there,
    before :func:`decode` could dead-letter it. The handler reads the raw bytes itself."""
    return message.body


@dataclass
class ConsumerPolicy:
    group: str
    max_retries: int = 3
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0
    commit_interval_s: float = 0.2


class DoneOffsets:
    """The next offset of each partition whose messages up to it are done, committed a little
    later in one request (several messages' worth when they come quickly)."""

    def __init__(self, group: str, interval_s: float) -> None:
        self._group = group
        self._interval_s = interval_s
        self._done: dict[TopicPartition, int] = {}
        self._consumer: Any = None
        self._flush: asyncio.Task | None = None

    def done(self, consumer: Any, record: Any) -> None:  # noqa: ANN401 - aiokafka's consumer and record
        self._consumer = consumer
        self._done[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if self._flush is None or self._flush.done():
            self._flush = asyncio.create_task(self._commit_later(), name=f"{self._group}-commit")

    async def _commit_later(self) -> None:
        # Until nothing is left: messages done while a commit was on its way wait for the next round.
        while self._done:
            await asyncio.sleep(self._interval_s)
            await self.commit()

    async def commit(self) -> None:
        """Commit what is done now (also called when the consumer stops)."""
        offsets, self._done = self._done, {}
        if not offsets or self._consumer is None:
            return
        try:
            assigned = self._consumer.assignment()
            offsets = {tp: offset for tp, offset in offsets.items() if tp in assigned}  # moved away: its new owner redelivers
            if offsets:
                await self._consumer.commit(offsets)
        except Exception as error:  # noqa: BLE001 - not committed: redelivered, and ignored by the handlers
            log.warning("%s: offsets not committed (%s); those messages will be delivered again", self._group, error)


class EventConsumer:
    """Subscribes one consumer group to the topics its handlers need."""

    def __init__(self, broker: KafkaBroker, handlers: EventHandlers, policy: ConsumerPolicy) -> None:
        self._broker = broker
        self._handlers = handlers
        self._policy = policy
        self._offsets = DoneOffsets(policy.group, policy.commit_interval_s)
        self.processed = 0
        self.dead_lettered = 0
        topics = handlers.topics
        if any(t.endswith(DLQ_SUFFIX) for t in topics):
            raise ValueError("a service never consumes a dead-letter topic")
        broker.subscriber(
            *topics,
            group_id=policy.group,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            title=f"{policy.group}:events",
            decoder=_raw_body,
        )(self._on_message)

    async def stop(self) -> None:
        """Commit the offsets of what is done (before the broker stops)."""
        await self._offsets.commit()

    async def _on_message(self, msg: KafkaMessage, consumer: Consumer) -> None:
        record = msg.raw_message
        body: bytes = record.value or b""
        observability.correlation.set(None)
        observability.causation.set(None)
        try:
            decoded = decode(body, self._handlers, record.topic)
        except Malformed as error:
            await self._dead_letter(record, body, str(error), type(error).__name__)
            outcome = "dead_lettered"
        else:
            outcome = "skipped"
            if decoded is not None:
                envelope, data = decoded
                observability.correlation.set(envelope.correlation_id)
                observability.causation.set(envelope.event_id)
                applied = await self._handle(record, body, envelope, data)
                outcome = "applied" if applied else "dead_lettered"
                log.info("%s %s v%d of %s: %s", self._policy.group, envelope.event_type,
                         envelope.aggregate_version, envelope.aggregate_id, outcome)
        self.processed += 1
        self._offsets.done(consumer, record)
        observability.EVENTS_CONSUMED.labels(self._policy.group, record.topic, outcome).inc()
        self._record_lag(consumer, record)

    def _record_lag(self, consumer: Any, record: Any) -> None:
        try:
            end = consumer.highwater(TopicPartition(record.topic, record.partition))
        except Exception:  # noqa: BLE001 - no fetch metadata yet: nothing to report
            return
        if end is not None:
            observability.CONSUMER_LAG.labels(self._policy.group, record.topic, str(record.partition)).set(
                max(end - record.offset - 1, 0))

    async def _handle(self, record: Any, body: bytes, envelope: Envelope, data: EventData) -> bool:
        """Apply the event (True), or dead-letter it after the retries (False)."""
        _, handler = self._handlers.routes[envelope.event_type]
        failures = 0
        backoff = self._policy.backoff_s
        while True:
            try:
                await handler(data, envelope)
                return True
            except Exception as error:  # noqa: BLE001 - any other failure counts toward the DLQ
                if is_unavailable(error):
                    log.warning("%s: database unavailable (%s); retrying", self._policy.group, error)
                else:
                    failures += 1
                    if failures > self._policy.max_retries:
                        reason = f"handler failed {failures} times: {type(error).__name__}: {error}"
                        await self._dead_letter(record, body, reason, type(error).__name__)
                        return False
                    log.warning("%s: %s failed (%s), retry %d", self._policy.group, envelope.event_type, error,
                                failures)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2 or 0.05, self._policy.max_backoff_s)

    async def _dead_letter(self, record: Any, body: bytes, reason: str, error_type: str) -> None:
        headers = {
            "x-dlq-reason": reason[:2000],
            "x-dlq-error-type": error_type,
            "x-dlq-consumer-group": self._policy.group,
            "x-dlq-source-topic": record.topic,
            "x-dlq-source-partition": str(record.partition),
            "x-dlq-source-offset": str(record.offset),
        }
        if len(body) > MAX_DLQ_BODY_BYTES:  # the body plus these headers must still fit in one Kafka message
            headers["x-dlq-truncated-from-bytes"] = str(len(body))
            body = body[:MAX_DLQ_BODY_BYTES]
        log.error("%s: dead-lettering %s@%s/%s: %s", self._policy.group, record.topic, record.partition, record.offset, reason)
        await self._broker.publish(body, topic=dlq_topic(record.topic), key=record.key, headers=headers)
        self.dead_lettered += 1
