"""Kafka operations of the fault scenarios: consumer lag, end offsets, rewinding a group.

Every Kafka client of the reliability suite is made here (``_client_options``), so a change
in how tests connect (e.g. SASL) lands in one place, next to ``e2e_support``'s readers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from e2e_support import System, kafka_login

# Which consumer groups (= services) follow which topic of the workload.
SUBSCRIBERS: dict[str, tuple[str, ...]] = {
    "registry.resident.v1": ("permits", "delivery", "labor"),
    "permits.permit.v1": ("delivery", "labor"),
}
GROUPS = ("registry", "permits", "delivery", "labor")


def _client_options(system: System) -> dict[str, Any]:
    return {"bootstrap_servers": system.kafka, **kafka_login(system.kafka)}


async def _stop(consumer: AIOKafkaConsumer) -> None:
    """Stop a consumer. aiokafka 0.14 may raise the CancelledError of its own internal
    committed-offsets task when stopped right after start; that one is not ours to propagate."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise


async def end_offsets(system: System, topics: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(**_client_options(system), enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            found = consumer.partitions_for_topic(topic)
            if not found:
                await consumer._client.force_metadata_update()  # noqa: SLF001 - a topic made since start
                found = consumer.partitions_for_topic(topic) or set()
            partitions += [TopicPartition(topic, p) for p in sorted(found)]
        return await consumer.end_offsets(partitions) if partitions else {}
    finally:
        await _stop(consumer)


async def committed(system: System, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**_client_options(system))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta is not None and meta.offset >= 0}


async def lag(system: System) -> dict[str, int]:
    """Messages not yet committed, per "group topic[partition]" (only the non-zero ones):
    every topic a group has committed on, plus the workload's topics of ``SUBSCRIBERS``."""
    behind: dict[str, int] = {}
    for group in GROUPS:
        done = await committed(system, group)
        topics = {tp.topic for tp in done} | {t for t, groups in SUBSCRIBERS.items() if group in groups}
        topics = {t for t in topics if not t.endswith(".dlq")}
        for tp, end in (await end_offsets(system, sorted(topics))).items():
            missing = end - done.get(tp, 0)
            if missing > 0:
                behind[f"{group} {tp.topic}[{tp.partition}]"] = missing
    return behind


async def rewind_group(system: System, group: str, topics: list[str], by: int) -> dict[TopicPartition, tuple[int, int]]:
    """Move ``group``'s committed offsets back by ``by`` messages on every partition of ``topics``
    (not below 0). The group must have no live member (its worker stopped): a commit from
    outside the group is accepted only while the group is empty. Returns {tp: (before, after)}."""
    before = await committed(system, group)
    targets = {tp: max(0, before.get(tp, 0) - by) for tp in await end_offsets(system, topics)}
    consumer = AIOKafkaConsumer(**_client_options(system), enable_auto_commit=False, group_id=group)
    await consumer.start()
    try:
        consumer.assign(list(targets))
        await consumer.commit(dict(targets.items()))
    finally:
        await _stop(consumer)
    after = await committed(system, group)
    return {tp: (before.get(tp, 0), after.get(tp, -1)) for tp in targets}
