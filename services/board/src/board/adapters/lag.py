"""How far the board's consumer group is behind the topics: the end offsets of every partition
it reads minus the offsets it has committed (it commits only what it has stored)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

log = logging.getLogger(__name__)


class ConsumerLag:
    def __init__(self, bootstrap: str, group: str, topics: Sequence[str], options: dict[str, Any]) -> None:
        self._bootstrap, self._group, self._topics, self._options = bootstrap, group, list(topics), options
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def events_behind(self) -> int:
        if self._consumer is None or self._admin is None:
            consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False,
                                        request_timeout_ms=5000, **self._options)
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=5000, **self._options)
            await consumer.start()
            await admin.start()
            self._consumer, self._admin = consumer, admin
        await self._consumer.topics()  # the partitions of every topic it may read
        partitions = [TopicPartition(t, p) for t in self._topics for p in self._consumer.partitions_for_topic(t) or ()]
        if not partitions:
            return 0
        ends = await self._consumer.end_offsets(partitions)
        committed = await self._admin.list_consumer_group_offsets(self._group)
        return sum(max(end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0), 0)
                   for tp, end in ends.items())

    async def close(self) -> None:
        for client in (self._consumer, self._admin):
            if client is not None:
                try:
                    await client.stop() if isinstance(client, AIOKafkaConsumer) else await client.close()
                except Exception:  # noqa: BLE001 - closing on the way out
                    log.debug("closing a lag client failed", exc_info=True)
        self._consumer = self._admin = None
