"""The worker process of a service: its consumers, its outbox relay, and the forgetting of old
``Idempotency-Key`` records (after ``<SVC>_IDEMPOTENCY_RETENTION_H``).

Consumers share one group per service, so worker replicas split the partitions; the relay
runs on whichever replica holds the relay lease. Forgetting is a delete of what is old enough,
so replicas may all do it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from collections.abc import Callable, Sequence

from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import start_http_server

from towngrid_contracts.topics import dlq_topic
from towngrid_kit.consumer import ConsumerPolicy, EventConsumer, EventHandlers
from towngrid_kit.faults import FaultPoints
from towngrid_kit.idempotency import KEYS_COLLECTION, IdempotencyStore
from towngrid_kit.kafka_producer import RelayProducer
from towngrid_kit.kafka_topics import ensure_topics
from towngrid_kit.observability import configure_logging
from towngrid_kit.periodic import run_periodically
from towngrid_kit.mongo import connect
from towngrid_kit.relay import OutboxRelay
from towngrid_kit.settings import ServiceSettings

log = logging.getLogger(__name__)

KEY_SWEEP_INTERVAL_S = 600.0  # how often a worker forgets the Idempotency-Keys past their retention


def make_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=client_id,
        security=settings.faststream_security(),
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=30_000,
    )


def create_worker(
    *,
    service: str,
    settings: ServiceSettings,
    aggregate_stores: Sequence[str],
    produces: Sequence[str] = (),
    build_handlers: Callable[[object], EventHandlers] | None = None,
) -> FastStream:
    """The FastStream app of a worker: consumers (if any) and the outbox relay."""
    broker = make_broker(settings, f"{service}-worker")
    client, db = connect(settings.mongo_url, settings.mongo_db)
    faults = FaultPoints(settings.fault_point)
    topics = set(produces)
    consumes: tuple[str, ...] = ()
    consumer: EventConsumer | None = None
    consumed_topics: set[str] = set()
    if build_handlers is not None:
        handlers = build_handlers(db)
        consumes = tuple(sorted(handlers.routes))
        consumed_topics = set(handlers.topics)
        topics |= {t for topic in handlers.topics for t in (topic, dlq_topic(topic))}
        if handlers.routes:
            policy = ConsumerPolicy(
                group=service, max_retries=settings.consumer_max_retries, backoff_s=settings.consumer_retry_backoff_s
            )
            consumer = EventConsumer(broker, handlers, policy)
    producer = RelayProducer(settings.kafka_bootstrap, f"{service}-relay", settings.kafka_options())
    relay = OutboxRelay(
        db,
        aggregate_stores,
        producer.publish,
        owner=f"{socket.gethostname()}:{os.getpid()}",
        poll_interval_s=settings.relay_poll_interval_s,
        idle_poll_max_s=settings.relay_idle_poll_max_s,
        batch_size=settings.relay_batch_size,
        faults=faults,
        heartbeat=Path(settings.heartbeat_file) if settings.heartbeat_file else None,
        service=service,
    )
    app = FastStream(broker)
    app.towngrid_consumes = consumes  # type: ignore[attr-defined]  # read by the AsyncAPI generator
    # read by the generator of kafka_access.json (the broker's ACLs, towngrid_kafka_admin.access)
    app.towngrid_topics = {"produces": sorted(set(produces)), "consumes": sorted(consumed_topics)}  # type: ignore[attr-defined]
    app.towngrid_settings = settings  # type: ignore[attr-defined]
    app.towngrid_service = service  # type: ignore[attr-defined]
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []

    @app.on_startup
    async def create_topics() -> None:
        if settings.metrics_port:
            start_http_server(settings.metrics_port, addr=settings.http_host)
        await ensure_topics(settings.kafka_bootstrap, topics, settings.kafka_partitions,
                            options=settings.kafka_options())

    keys = IdempotencyStore(db[KEYS_COLLECTION])
    retention = timedelta(hours=settings.idempotency_retention_h)

    async def forget_old_keys() -> None:
        if forgotten := await keys.forget_older_than(datetime.now(UTC) - retention):
            log.info("forgot %d Idempotency-Key records older than %s", forgotten, retention)

    @app.after_startup
    async def start_relay() -> None:
        await relay.migrate()
        tasks.append(asyncio.create_task(relay.run(stop), name=f"{service}-relay"))
        tasks.append(asyncio.create_task(run_periodically("idempotency retention", forget_old_keys,
                                                          KEY_SWEEP_INTERVAL_S, stop), name=f"{service}-keys"))
        log.info("%s worker ready", service)

    @app.on_shutdown
    async def stop_relay() -> None:
        stop.set()
        for task in tasks:
            await task
        await producer.close()
        if consumer is not None:  # while the broker still runs; a handler still running then is redelivered
            await consumer.stop()

    # FastStream runs on_shutdown hooks before it stops the broker: a handler may still be
    # running then. Closing the database there made that handler fail ("Cannot use
    # AsyncMongoClient after close") until it was dead-lettered and committed: a good event lost
    # on a plain SIGTERM. So the client is closed only once the consumers have stopped.
    @app.after_shutdown
    async def close_database() -> None:
        await client.close()

    return app


def run_worker(app: FastStream) -> None:
    settings: ServiceSettings = app.towngrid_settings  # type: ignore[attr-defined]
    if settings.log_format == "json":
        configure_logging(f"{app.towngrid_service}-worker")  # type: ignore[attr-defined]
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(app.run())
