"""The outbox relay's own Kafka producer, made anew after any failed send.

aiokafka's idempotent producer does not come back from a broker outage: the batches that failed
while the broker was down leave its sequence numbers ahead of the broker's, and every send after
the broker returns fails with ``OutOfOrderSequenceException`` (seen after a 30 s Kafka stop: the
relay published nothing for ten minutes). So the relay publishes through a producer of its own
(``acks=all``, idempotent), closes it on any error and makes a new one, with a new producer id, for the next attempt. The
relay then re-sends the commit whose send failed; consumers drop a repeat by its event id.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer

log = logging.getLogger(__name__)


class RelayProducer:
    def __init__(self, bootstrap: str, client_id: str, options: dict[str, Any]) -> None:
        self._bootstrap = bootstrap
        self._client_id = client_id
        self._options = options
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, messages: list[tuple[str, bytes, bytes, dict[str, str]]]) -> None:
        """Send ``messages`` (topic, key, value, headers) in their order, then wait until Kafka
        acknowledged every one; on any failure the producer is discarded and the error raised."""
        producer = await self._started()
        try:
            acks = [await producer.send(topic, value, key=key,
                                        headers=[(name, text.encode()) for name, text in headers.items()])
                    for topic, key, value, headers in messages]
            await asyncio.gather(*acks)
        except BaseException:
            await self._discard(producer)
            raise

    async def close(self) -> None:
        if self._producer is not None:
            await self._discard(self._producer)

    async def _discard(self, producer: AIOKafkaProducer) -> None:
        """Close ``producer`` (the next publish makes a new one), unless a new one replaced it already."""
        if self._producer is producer:
            self._producer = None
            try:
                await producer.stop()
            except Exception as error:  # noqa: BLE001 - it failed already; the next one starts clean
                log.info("relay producer closed with an error (%s)", error)

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, client_id=self._client_id, acks="all",
                                        enable_idempotence=True, request_timeout_ms=30_000, **self._options)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer
