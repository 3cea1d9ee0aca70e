"""What probing the running system from outside found (issue 16), on the real stack.

- Forged events: a service's Kafka login lets it write its own topics only, but it could put
  another service's event type there. Such an event is dead-lettered with its reason and changes
  nothing; the same event on its own topic still applies.
- Tokens: one that lives longer than the cap (12 h), says not when it was issued, or carries a
  claim of the wrong type (a department that is a query object) gets 401 problem+json.
- X-Forwarded-For: without trusted proxies configured, a client on the api's own host (loopback)
  cannot rename itself with the header to escape a public route's per-client limit.
- Idempotency-Key: a key is its caller's own; another caller (another token, even of the same
  subject with other rights, or another anonymous client) with the same key and body never gets
  the first caller's stored answer (its receipt).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaProducer

from e2e_support import System, eventually, read_topic, wait_consumed
from people import returnee
from permits_support import health_certificate, online_application, registered_holder, resident_id
from towngrid_contracts import load_example
from towngrid_kit.auth import Role


async def produce_as(system: System, user: str, topic: str, key: bytes, event: dict[str, Any]) -> tuple[int, int]:
    """Write ``event`` to ``topic`` logged in as the service ``user``; its (partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=system.kafka, **system.kafka_login_as(user), acks="all",
                                enable_idempotence=True)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, json.dumps(event).encode(), key=key)
        return meta.partition, meta.offset
    finally:
        await producer.stop()


def example(event_type: str, aggregate_id: str, **data: Any) -> dict[str, Any]:  # noqa: ANN401
    event = load_example(event_type)
    event.update(event_id=str(uuid.uuid4()), aggregate_id=aggregate_id, occurred_at=datetime.now(UTC).isoformat())
    event["data"].update(data)
    return event


async def dead_letters(system: System, topic: str, group: str, key: bytes) -> list:
    def mine(records: list) -> list:  # noqa: ANN001 - every consumer group of a topic dead-letters its own copy
        return [r for r in records if r.key == key and r.headers.get("x-dlq-consumer-group") == group]

    return mine(await read_topic(system.kafka, f"{topic}.dlq", until=lambda rs: bool(mine(rs)), timeout=60))


async def test_a_labor_event_forged_on_a_delivery_topic_does_not_mark_a_resident_as_left_town(system: System) -> None:
    async with system.client("registry") as registry:
        rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
    batch_id = f"bat_{uuid.uuid4().hex}"
    dispatched = example("labor.batch.dispatched", batch_id, batch_id=batch_id, destination_province="CN-ZJ",
                         worker_resident_ids=[rid], departed_at=datetime.now(UTC).isoformat())

    topic = "delivery.relief_parcel.v1"  # delivery's login may write it; the registry reads it
    partition, offset = await produce_as(system, "delivery", topic, rid.encode(), dispatched)
    await wait_consumed(system.kafka, "registry", topic, partition, offset, timeout=60)
    async with system.client("registry") as registry:
        assert (await registry.get(f"/residents/{rid}")).json()["left_town"] is None, "the forgery changed nothing"
    dead, = await dead_letters(system, topic, "registry", rid.encode())
    assert dead.headers["x-dlq-error-type"] == "Forged" and int(dead.headers["x-dlq-source-offset"]) == offset
    assert "labor.batch.dispatched belongs on labor.batch.v1" in dead.headers["x-dlq-reason"]

    # The same event where labor publishes it applies.
    genuine = dispatched | {"event_id": str(uuid.uuid4())}
    partition, offset = await produce_as(system, "labor", "labor.batch.v1", batch_id.encode(), genuine)
    await wait_consumed(system.kafka, "registry", "labor.batch.v1", partition, offset, timeout=60)
    async with system.client("registry") as registry:
        assert (await registry.get(f"/residents/{rid}")).json()["left_town"]["batch_id"] == batch_id


async def labor_view(system: System, resident_id: str) -> dict | None:
    return await system.find_one("labor", "resident_status", resident_id)


async def test_a_quarantine_forged_on_the_permit_topic_does_not_change_labors_view(system: System) -> None:
    async with system.client("registry") as registry:
        body = returnee()
        rid = (await registry.post("/residents", json=body)).json()["resident"]["resident_id"]
    before = await eventually(lambda: labor_view(system, rid), timeout=60)
    assert not before.get("in_quarantine")
    started = example("registry.quarantine.started", rid, resident_id=rid, compound_id=body["compound_id"],
                      started_at=datetime.now(UTC).isoformat()) | {"aggregate_version": 900}

    topic = "permits.permit.v1"  # permits' login may write it; labor reads it
    partition, offset = await produce_as(system, "permits", topic, rid.encode(), started)
    await wait_consumed(system.kafka, "labor", topic, partition, offset, timeout=60)
    assert await labor_view(system, rid) == before, "labor's view of the resident is unchanged"
    dead, = await dead_letters(system, topic, "labor", rid.encode())
    assert dead.headers["x-dlq-error-type"] == "Forged" and int(dead.headers["x-dlq-source-offset"]) == offset
    assert "registry.quarantine.started belongs on registry.resident.v1" in dead.headers["x-dlq-reason"]

    # A genuine quarantine (through the registry) still reaches labor.
    async with system.client("registry") as registry:
        started_now = await registry.post(f"/residents/{rid}/quarantines", json={
            "kind": "centralized", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert started_now.status_code == 201, started_now.text

    async def quarantined() -> dict | None:
        doc = await labor_view(system, rid)
        return doc if doc and doc.get("in_quarantine") else None

    assert (await eventually(quarantined, timeout=60))["quarantine_id"] == started_now.json()["quarantine_id"]


async def test_long_lived_undated_and_ill_typed_tokens_are_refused(system: System) -> None:
    now = int(time.time())
    base = {"sub": "probe", "role": "permit_reviewer", "scope": "town", "iss": "towngrid-local", "aud": "towngrid",
            "iat": now, "exp": now + 600, "department": "health"}
    refused = {
        "ten years": base | {"exp": now + 10 * 365 * 86400},
        "no iat": {k: v for k, v in base.items() if k != "iat"},
        "iat an hour ahead": base | {"iat": now + 3600, "exp": now + 4000},
        "a department that is a query": base | {"department": {"$ne": None}},
    }
    secret = system.secrets.auth_jwt_secret
    async with httpx.AsyncClient(base_url=system.services["permits"].url, timeout=30) as permits:
        good = await permits.get("/applications", headers={"Authorization": f"Bearer {jwt.encode(base, secret)}"})
        assert good.status_code == 200, good.text
        for case, claims in refused.items():
            answer = await permits.get("/applications", headers={"Authorization": f"Bearer {jwt.encode(claims, secret)}"})
            assert answer.status_code == 401, f"{case}: {answer.status_code} {answer.text}"
            assert answer.headers["content-type"] == "application/problem+json" and answer.json()["status"] == 401
            assert secret not in answer.text


WINDOW_S = 6
LIMIT = 3


@pytest.fixture(scope="module")
def permits_without_proxies(system: System) -> Iterator[str]:
    """One more permits api with a short window and a low limit, and no trusted proxies (the default)."""
    env = {"PUBLIC_RATE_WINDOW_S": str(WINDOW_S), "PUBLIC_READS_PER_WINDOW": str(LIMIT)}
    with system.another_api("permits", 90, env, timeout=90) as url:
        yield url


async def test_a_rotating_forwarded_for_from_loopback_does_not_escape_the_public_limit(
        permits_without_proxies: str) -> None:
    for _attempt in range(3):  # a loaded machine may cross a window boundary mid-way: then again
        if time.time() % WINDOW_S > 0.3:
            await asyncio.sleep(WINDOW_S - time.time() % WINDOW_S + 0.05)
        window = int(time.time() // WINDOW_S)
        statuses = []
        async with httpx.AsyncClient(base_url=permits_without_proxies, timeout=30) as client:
            for n in range(LIMIT + 2):  # from 127.0.0.1, each time "another client"
                forwarded = f"198.18.{n}.{uuid.uuid4().int % 254 + 1}"
                statuses.append((await client.get("/verification-key", headers={"X-Forwarded-For": forwarded})).status_code)
        if int(time.time() // WINDOW_S) == window:
            break
    else:
        pytest.fail("three attempts crossed a window boundary")
    assert statuses == [200] * LIMIT + [429, 429], statuses


async def test_an_idempotency_key_is_its_callers_own(system: System) -> None:
    body = health_certificate(resident_id())
    key = {"Idempotency-Key": str(uuid.uuid4())}
    async with (system.client("permits", subject="clerk-1") as first,
                system.client("permits", Role.COMMUNITY_OFFICER, subject="clerk-1") as same_subject_other_role,
                system.client("permits", Role.COMMUNITY_OFFICER, subject="clerk-2") as other):
        mine = await first.post("/applications", json=body, headers=key)
        assert mine.status_code == 201, mine.text
        again = await first.post("/applications", json=body, headers=key)
        assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == mine.json(), "a retry is replayed"
        for client in (same_subject_other_role, other):
            theirs = await client.post("/applications", json=body, headers=key)
            assert theirs.headers.get("Idempotent-Replayed") is None, theirs.text
            assert mine.json()["receipt"] not in theirs.text and mine.json()["permit_id"] not in theirs.text


async def test_an_anonymous_idempotency_key_is_its_clients_own(system: System) -> None:
    async with system.client("permits") as admin:
        code = (await admin.get("/checkpoints/CP-C03-017/qr-code")).json()["qr_code"]
    holder, holder_key = await registered_holder(system)
    body = online_application(holder, holder_key, code)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    url = system.services["permits"].url

    def anonymous(source: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, timeout=30, transport=httpx.AsyncHTTPTransport(local_address=source))

    async with anonymous("127.0.0.2") as applicant, anonymous("127.0.0.3") as stranger:
        mine = await applicant.post("/online-applications", json=body, headers=key)
        assert mine.status_code == 201, mine.text
        again = await applicant.post("/online-applications", json=body, headers=key)
        assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == mine.json(), "a retry is replayed"
        theirs = await stranger.post("/online-applications", json=body, headers=key)
        assert theirs.headers.get("Idempotent-Replayed") is None, theirs.text
        assert mine.json()["receipt"] not in theirs.text and mine.json()["permit_id"] not in theirs.text
