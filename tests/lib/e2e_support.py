"""Helpers for tests on the real local stack: the running system, tokens, topic readers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_devstack import database as database_login
from towngrid_devstack.config import StackConfig
from towngrid_devstack.services import KAFKA_MECHANISM, SERVICES, LocalSecrets, ServiceProcesses, service_processes
from towngrid_kit.auth import Role, mint_token
from towngrid_kit.kafka_security import kafka_options

# The login of the helpers below (read_topic, produce, committed_offset, ...), by bootstrap
# address: the admin (Kafka's super user) of the running system; set by System.
_KAFKA_LOGINS: dict[str, dict[str, Any]] = {}


def kafka_login(bootstrap: str) -> dict[str, Any]:
    """aiokafka keyword arguments that log the test helpers in to the broker at ``bootstrap``."""
    return dict(_KAFKA_LOGINS.get(bootstrap, {}))


@dataclass
class System:
    config: StackConfig
    secrets: LocalSecrets
    services: dict[str, ServiceProcesses] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _KAFKA_LOGINS[self.kafka] = self.kafka_login_as("admin")

    @classmethod
    @contextmanager
    def started(cls, config: StackConfig, port_offset: int,
                extra_env: Mapping[str, str] | None = None) -> Iterator[System]:
        """The four services (each its api and its worker) on the stack of ``config``, on their
        ports + ``port_offset``, ready. On leaving, stops the processes there are then (a test may
        have replaced one: a faulty api, a restarted worker)."""
        secrets = LocalSecrets.for_profile(config)
        running = cls(config=config, secrets=secrets)
        for name, port in SERVICES.items():
            running.services[name] = service_processes(name, config, secrets, port=port + port_offset,
                                                       extra_env=extra_env)
        try:
            processes = [p for s in running.services.values() for p in (s.api, s.worker)]
            for process in processes:
                process.start()
            for process in processes:
                process.wait_ready(timeout=90)
            yield running
        finally:
            for s in running.services.values():
                for process in (s.api, s.worker):
                    process.stop()

    def kafka_login_as(self, user: str, password: str | None = None) -> dict[str, Any]:
        """aiokafka keyword arguments logging in as ``user`` (admin, a service, county)."""
        secret = self.secrets.kafka_passwords[user] if password is None else password
        return kafka_options("SASL_PLAINTEXT", KAFKA_MECHANISM, user, secret)

    def token(self, role: Role = Role.TOWN_ADMIN, scope: str = "town", subject: str = "test-admin",
              department: str | None = None, organisation: str | None = None) -> str:
        return mint_token(self.secrets.auth_jwt_secret, subject=subject, role=role, scope=scope,
                          issuer="towngrid-local", audience="towngrid", department=department,
                          organisation=organisation)

    @property
    def mongo_url(self) -> str:
        """The stack's database logged in as its admin (every database); a service's own login
        (its database only) is ``mongo_url_as(service)``."""
        return self.mongo_url_as("admin")

    def mongo_url_as(self, user: str) -> str:
        return database_login.url(self.config, user, self.secrets.mongo_passwords[user])

    @asynccontextmanager
    async def database(self, name: str) -> AsyncIterator[AsyncDatabase]:
        """A database ``name`` of the stack's FerretDB (or MongoDB), for a test that reads or
        writes it directly (a service's own, or one of its own for the kit's pieces)."""
        client: AsyncMongoClient = AsyncMongoClient(self.mongo_url, tz_aware=True)
        try:
            yield client[name]
        finally:
            await client.close()

    @contextmanager
    def another_api(self, service: str, port_offset: int, extra_env: Mapping[str, str] | None = None,
                    timeout: float = 120) -> Iterator[str]:
        """One more api process of ``service`` (its port + ``port_offset``; the same database and
        Kafka; ``extra_env`` on top of its settings), ready; its URL. Stopped on leaving."""
        port = self.services[service].port + port_offset
        api = service_processes(service, self.config, self.secrets, port=port, extra_env=extra_env,
                                worker_name="unused").api
        try:
            api.start()
            api.wait_ready(timeout=timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            api.stop()

    async def find_one(self, database: str, collection: str, doc_id: str) -> dict | None:
        """The document ``doc_id`` of a collection of the stack's database ``database``, or None."""
        async with self.database(database) as db:
            return await db[collection].find_one({"_id": doc_id})

    def client(self, service: str, role: Role | None = Role.TOWN_ADMIN, scope: str = "town",
               subject: str = "test-admin", department: str | None = None,
               organisation: str | None = None) -> httpx.AsyncClient:
        """A client of ``service`` holding a token of ``role`` in ``scope`` (none if ``role`` is None);
        ``organisation``: the merchant or enterprise a merchant's or employer liaison's token acts for."""
        token = self.token(role, scope, subject, department, organisation) if role else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # An idle connection is dropped after 2 s, before the api's own 5 s keep-alive timeout can
        # close it under a request that reuses it (an httpx.ReadError in long tests).
        return httpx.AsyncClient(base_url=self.services[service].url, headers=headers, timeout=30,
                                 limits=httpx.Limits(keepalive_expiry=2.0))

    @property
    def kafka(self) -> str:
        return self.config.kafka_bootstrap


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def json(self) -> dict[str, Any]:
        """The decoded value; ValueError for anything that is not JSON (the bad-input tests put
        undecodable and 10,000-deep payloads on real topics)."""
        try:
            return json.loads(self.value)
        except RecursionError:
            raise ValueError("nested too deep to decode") from None


async def read_topic(bootstrap: str, topic: str, *, until: Callable[[list[Record]], bool],
                     timeout: float = 30.0) -> list[Record]:
    """Read ``topic`` from the beginning (no group, no commits) until ``until(records)``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **kafka_login(bootstrap), enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic, timeout)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while not until(records):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: condition not met within {timeout} s; read {len(records)} records")
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                records.extend(Record(m.topic, m.partition, m.offset, m.key, m.value,
                                      {k: v.decode() for k, v in (m.headers or ())}) for m in msgs)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str, timeout: float) -> list[TopicPartition]:
    deadline = time.monotonic() + timeout
    while True:
        found = consumer.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        if time.monotonic() > deadline:
            raise AssertionError(f"topic {topic} does not exist")
        await consumer._client.force_metadata_update()  # noqa: SLF001 - refresh for a new topic
        await asyncio.sleep(0.2)


async def produce(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **kafka_login(bootstrap), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def eventually(check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.2) -> Any:
    """Await ``check()`` until it returns a truthy value; fail with its last result."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"not true within {timeout} s; last result: {last!r}")


def events_with(records: list[Record], **match: Any) -> list[dict[str, Any]]:
    found = []
    for r in records:
        try:
            body = r.json
        except ValueError:
            continue  # a poison message some test put on the topic
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            continue
        if all(body.get(k) == v or body["data"].get(k) == v for k, v in match.items()):
            found.append(body)
    return found


async def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[Record]:
    """Everything on ``topic`` now: read from the beginning up to the current end offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **kafka_login(bootstrap), enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic, timeout)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    total = sum(ends.values())
    return await read_topic(bootstrap, topic, until=lambda rs: len(rs) >= total, timeout=timeout)


async def committed_offset(bootstrap: str, group: str, topic: str, partition: int) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_login(bootstrap))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, partition))
    return meta.offset if meta is not None else -1


async def produce_many(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> list[tuple[int, int]]:
    """Send (key, value) pairs in order; return each one's (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **kafka_login(bootstrap), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        placed = []
        for key, value in messages:
            meta = await producer.send_and_wait(topic, value, key=key)
            placed.append((meta.partition, meta.offset))
        return placed
    finally:
        await producer.stop()


async def wait_consumed(bootstrap: str, group: str, topic: str, partition: int, offset: int, timeout: float = 30.0) -> None:
    """Wait until ``group`` has committed past ``offset`` (so it processed that message)."""
    async def past() -> bool:
        return await committed_offset(bootstrap, group, topic, partition) > offset

    await eventually(past, timeout=timeout)
