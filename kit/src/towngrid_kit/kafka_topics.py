"""Creating topics up front, with their partition counts and their dead-letter twins.

Relying on auto-creation gives every topic the broker's default partition count and races
the first produce; a worker instead creates what it publishes and consumes at start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


async def ensure_topics(bootstrap: str, names: Iterable[str], partitions: int, replication: int = 1,
                        options: Mapping[str, Any] | None = None) -> list[str]:
    """Create the topics that do not exist yet; return the names created. ``options``: the
    login (``KafkaClientSettings.kafka_options()``)."""
    wanted = sorted(set(names))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000, **(options or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in wanted if n not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(n, num_partitions=partitions, replication_factor=replication) for n in missing]
                )
            except TopicAlreadyExistsError:
                pass  # another replica created it first
            log.info("created topics: %s", ", ".join(missing))
        return missing
    finally:
        await admin.close()
