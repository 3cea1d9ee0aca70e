"""The broker's SASL/SCRAM logins and ACLs, on the real broker of the test stack: each service's
principal writes only its own topics (and the dead letters of what it consumes), reads only
what it consumes; the county subscriber only reads; a wrong password does not get in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import GroupAuthorizationFailedError, KafkaConnectionError, TopicAuthorizationFailedError

from e2e_support import System, produce, read_all
from towngrid_contracts.catalogue import TOPICS
from towngrid_kafka_admin.access import all_acls, committed
from towngrid_kafka_admin.wire import Acl, AuthenticationFailed, KafkaWire

ACCESS = {a.principal: a for a in committed()}
# What the probes write to real topics: not JSON, so the services' consumers dead-letter it
# and the other tests' readers skip it (as they skip any poison message).
PROBE = b"acl probe: not an event"


async def produce_as(system: System, user: str | None, topic: str, password: str | None = None) -> None:
    """Produce one message logged in as ``user`` (None: without logging in)."""
    login = system.kafka_login_as(user, password) if user else {}
    producer = AIOKafkaProducer(bootstrap_servers=system.kafka, **login, acks="all", request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, PROBE, key=b"acl-probe")
    finally:
        await producer.stop()


async def read_as(system: System, user: str, topic: str, group: str | None = None) -> int:
    """Read ``topic`` from the beginning to its end as ``user``; the number of records read."""
    consumer = AIOKafkaConsumer(bootstrap_servers=system.kafka, **system.kafka_login_as(user),
                                group_id=group, enable_auto_commit=False, request_timeout_ms=10_000)
    await consumer.start()
    try:
        # the partitions' leaders, as this user sees them (denied: TopicAuthorizationFailedError)
        found = await consumer._client._wait_on_metadata(topic)  # noqa: SLF001
        partitions = [TopicPartition(topic, p) for p in sorted(found)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        read = 0
        while sum(ends.values()) > read:
            batch = await consumer.getmany(timeout_ms=2000)
            if not batch:
                break
            read += sum(len(msgs) for msgs in batch.values())
        if group is not None:
            await consumer.commit()
        return read
    finally:
        await consumer.stop()


async def topic_ready(system: System, topic: str) -> None:
    """The workers create their topics at start; make sure this one exists (as the admin)."""
    await read_all(system.kafka, topic)


def test_the_derived_access_is_what_each_worker_does() -> None:
    """The committed derivation names every service and the county, each service publishing
    exactly its own catalogue topics and the county reading every topic."""
    assert set(ACCESS) == {"registry", "permits", "delivery", "labor", "board", "county"}
    for service in ("registry", "permits", "delivery", "labor"):
        assert set(ACCESS[service].produces) == {t for t in TOPICS if t.startswith(f"{service}.")}
        assert not any(t.startswith(f"{service}.") for t in ACCESS[service].consumes)
    assert set(ACCESS["county"].consumes) == set(TOPICS) and not ACCESS["county"].produces
    assert not ACCESS["board"].produces and set(ACCESS["board"].consumes) <= set(TOPICS)  # the board reads only


async def test_a_service_writing_another_services_topic_is_denied(system: System) -> None:
    await topic_ready(system, "permits.permit.v1")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(system, "registry", "permits.permit.v1")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(system, "delivery", "registry.resident.v1")
    with pytest.raises(TopicAuthorizationFailedError):  # the board reads the registry's topic, never writes it
        await produce_as(system, "board", "registry.resident.v1")


async def test_only_delivery_writes_the_relief_stock_and_the_board_reads_it(system: System) -> None:
    """The depot's stock movements: delivery publishes them, nobody else may (a forged receipt
    would move the board's stock figures); the board reads them in its own groups."""
    topic = "delivery.relief_stock.v1"
    await topic_ready(system, topic)
    for other in ("registry", "permits", "labor", "board", "county"):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce_as(system, other, topic)
    await produce_as(system, "delivery", topic)
    assert await read_as(system, "board", topic, group=f"board-{uuid.uuid4().hex[:6]}") >= 1


async def test_each_service_writes_its_own_topics_and_its_dead_letters(system: System) -> None:
    for service in ("registry", "permits", "delivery", "labor"):
        own = ACCESS[service].produces[0]
        await topic_ready(system, own)
        await produce_as(system, service, own)
    consumed = ACCESS["permits"].consumes[0]  # registry.resident.v1
    await produce_as(system, "permits", f"{consumed}.dlq")
    # ...but not the dead letters of a topic it does not consume
    await produce(system.kafka, "labor.batch.v1.dlq", b"acl-probe", PROBE)
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(system, "permits", "labor.batch.v1.dlq")


async def test_a_service_reads_only_what_it_consumes_in_its_own_groups(system: System) -> None:
    await topic_ready(system, "registry.resident.v1")
    await topic_ready(system, "delivery.order.v1")
    assert await read_as(system, "permits", "registry.resident.v1") >= 0
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(system, "permits", "delivery.order.v1")
    with pytest.raises(GroupAuthorizationFailedError):
        await read_as(system, "permits", "registry.resident.v1", group=f"delivery-{uuid.uuid4().hex[:6]}")


async def test_the_county_reads_every_topic_and_writes_none(system: System) -> None:
    await topic_ready(system, "registry.resident.v1")
    await produce(system.kafka, "registry.resident.v1", b"acl-probe", PROBE)
    assert await read_as(system, "county", "registry.resident.v1", group=f"county-{uuid.uuid4().hex[:6]}") >= 1
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(system, "county", "registry.resident.v1")
    with pytest.raises(GroupAuthorizationFailedError):
        await read_as(system, "county", "registry.resident.v1", group=f"registry-{uuid.uuid4().hex[:6]}")
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(system, "county", "registry.resident.v1.dlq")


async def test_a_wrong_password_does_not_get_in(system: System) -> None:
    host, port = system.kafka.split(":")
    with KafkaWire(host, int(port)) as wire:  # the broker's own answer
        with pytest.raises(AuthenticationFailed, match="invalid credentials"):
            wire.authenticate("SCRAM-SHA-512", "registry", "not-the-password")
    with KafkaWire(host, int(port)) as wire:
        wire.authenticate("SCRAM-SHA-512", "registry", system.secrets.kafka_passwords["registry"])
        assert wire.metadata()["brokers"]
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):  # aiokafka's
        await produce_as(system, "registry", "registry.resident.v1", password="not-the-password")
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):  # no login at all
        await produce_as(system, None, "registry.resident.v1")


def test_the_deployments_access_job_sets_the_same_users_and_acls(system: System) -> None:
    """`towngrid-kafka-access` (the compose deployment's one-shot job) against this broker:
    it logs in to the controller, sets every user and ACL again, and what was allowed or
    denied stays so."""
    host, port = system.kafka.split(":")
    stale = Acl("TOPIC", "registry.resident.v1", "LITERAL", "User:county", "WRITE")  # not derived: must go
    with KafkaWire(host, int(port)) as wire:
        wire.authenticate("SCRAM-SHA-512", "admin", system.secrets.kafka_passwords["admin"])
        wire.create_acls([stale])
    passwords = {u: p for u, p in system.secrets.kafka_passwords.items() if u != "admin"}
    env = {**os.environ, "TOWNGRID_KAFKA_CONTROLLER": f"127.0.0.1:{system.config.kafka_controller_port}",
           "TOWNGRID_KAFKA_ADMIN_PASSWORD": system.secrets.kafka_passwords["admin"],
           "TOWNGRID_KAFKA_USER_PASSWORDS": json.dumps(passwords)}
    done = subprocess.run([sys.executable, "-m", "towngrid_kafka_admin.access_cli"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{len(all_acls(committed()))} ACLs" in done.stdout
    with KafkaWire(host, int(port)) as wire:  # the re-set password still works
        wire.authenticate("SCRAM-SHA-512", "county", passwords["county"])
    with KafkaWire(host, int(port)) as wire:
        wire.authenticate("SCRAM-SHA-512", "admin", system.secrets.kafka_passwords["admin"])
        present = set(wire.describe_acls())
    assert stale not in present and set(all_acls(committed())) <= present
    wrong = subprocess.run([sys.executable, "-m", "towngrid_kafka_admin.access_cli"], capture_output=True, text=True,
                           env={**env, "TOWNGRID_KAFKA_ADMIN_PASSWORD": "not-the-admin-password"}, timeout=120)
    assert wrong.returncode != 0 and "authentication failed" in wrong.stderr.lower()
