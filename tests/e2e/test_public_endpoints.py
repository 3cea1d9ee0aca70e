"""The public endpoints on the real stack (issue 8): tip intake, online applications, the
applicant's status, permit verification and the verification key.

- Rate-limited per client, consistently across api replicas: two extra replicas of each api
  (short window, low limits, 127.0.0.1 trusted as a proxy so X-Forwarded-For names the client)
  share one counter in the database; a client gets 429 with Retry-After, others go on, and it
  recovers in the next window. A peer that is not a trusted proxy is counted by its own address,
  whatever X-Forwarded-For it sends.
- Oversized bodies get 413 (declared or chunked) and wrong content types 415; nothing is stored.
- The answers are the same whether the person named is registered, unknown or in quarantine.
- The limiter's cost on the real database, measured.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from e2e_support import System, eventually, produce
from people import quarantine_order, returnee
from permits_support import (announced, health_certificate, holder_code, known_in_quarantine, online_application,
                             registered_holder, resident_id, reviewer)
from towngrid_contracts.registry import QuarantineStarted
from towngrid_devstack.process import ManagedProcess
from towngrid_devstack.services import service_processes
from towngrid_kit.auth import Role
from towngrid_kit.commits import outbox_entries
from towngrid_kit.ratelimit import FixedWindowLimiter

WINDOW_S = 6
LIMIT = 3
REPLICA_ENV = {"PUBLIC_RATE_WINDOW_S": str(WINDOW_S), "TRUSTED_PROXIES": '["127.0.0.1/32"]',
               "TIPS_PUBLIC_PER_MINUTE": str(LIMIT), "PUBLIC_APPLICATIONS_PER_WINDOW": str(LIMIT),
               "PUBLIC_READS_PER_WINDOW": str(LIMIT), "PUBLIC_APPEALS_PER_WINDOW": str(LIMIT)}
REPLICA_PORTS = (60, 70)  # added to each api's port


@pytest.fixture(scope="module")
def replicas(system: System) -> Iterator[dict[str, list[str]]]:
    """Two more api processes of the registry and of permits, on the same database."""
    started: list[ManagedProcess] = []
    urls: dict[str, list[str]] = {}
    try:
        for service in ("registry", "permits"):
            for offset in REPLICA_PORTS:
                port = system.services[service].port + offset
                api = service_processes(service, system.config, system.secrets, port=port, extra_env=REPLICA_ENV,
                                        worker_name="unused").api
                api.start()
                started.append(api)
                urls.setdefault(service, []).append(f"http://127.0.0.1:{port}")
        for api in started:
            api.wait_ready(timeout=90)
        yield urls
    finally:
        for api in started:
            api.stop()


def client_ip() -> str:
    n = uuid.uuid4().int
    return f"198.{18 + n % 2}.{n // 2 % 256}.{n // 512 % 254 + 1}"  # 198.18.0.0/15: for tests


def public(url: str, client: str | None = None, source: str | None = None) -> httpx.AsyncClient:
    """An anonymous client behind the trusted proxy (``client`` in X-Forwarded-For), or from ``source``."""
    transport = httpx.AsyncHTTPTransport(local_address=source) if source else None
    return httpx.AsyncClient(base_url=url, timeout=30, transport=transport,
                             headers={"X-Forwarded-For": client} if client else {})


async def at_window_start() -> int:
    """Sleep until just after a window begins (the apis share this machine's clock); its number."""
    now = time.time()
    if now % WINDOW_S > 0.3:
        await asyncio.sleep(WINDOW_S - now % WINDOW_S + 0.05)
    return int(time.time() // WINDOW_S)


def tip(compound: str, **over: Any) -> dict[str, Any]:
    return {"kind": "other", "compound_id": compound, "description": "有人聚集", **over}


async def stored_tips(system: System, compound: str) -> int:
    async with system.client("registry") as registry:
        listed = await registry.get("/tips", params={"compound_id": compound, "limit": 200})
        assert listed.status_code == 200, listed.text
        return len(listed.json()["items"])


async def test_tips_are_limited_per_client_across_replicas_and_recover_after_the_window(
        system: System, replicas: dict[str, list[str]]) -> None:
    first, second = replicas["registry"]
    compound = f"C99-{uuid.uuid4().hex[:8]}"
    accepted = 0
    for _attempt in range(3):  # a loaded machine may cross a window boundary mid-way: then again
        a, b = client_ip(), client_ip()
        window = await at_window_start()
        async with public(first, a) as a1, public(second, a) as a2, public(second, b) as b2:
            statuses = [(await (a1 if i % 2 else a2).post("/tips/public", json=tip(compound))).status_code
                        for i in range(LIMIT)]
            refused = await a1.post("/tips/public", json=tip(compound))
            refused_elsewhere = await a2.post("/tips/public", json=tip(compound))
            other_client = await b2.post("/tips/public", json=tip(compound))
        accepted += [*statuses, refused.status_code, refused_elsewhere.status_code, other_client.status_code].count(202)
        if int(time.time() // WINDOW_S) == window:
            break
    else:
        pytest.fail("three attempts crossed a window boundary")
    assert statuses == [202] * LIMIT, "a client's first requests go through, on either replica"
    assert refused.status_code == 429 and refused_elsewhere.status_code == 429, "one count for all replicas"
    assert refused.headers["content-type"] == "application/problem+json" and refused.json()["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW_S
    assert other_client.status_code == 202, "another client behind the same proxy is counted apart"

    await asyncio.sleep(int(refused.headers["Retry-After"]) + 0.1)
    async with public(first, a) as again:
        assert (await again.post("/tips/public", json=tip(compound))).status_code == 202, "recovered"
    assert await stored_tips(system, compound) == accepted + 1, "one tip stored per 202, none per 429"


async def test_a_peer_that_is_no_trusted_proxy_is_counted_by_its_address(
        system: System, replicas: dict[str, list[str]]) -> None:
    url = replicas["permits"][0]
    source, other_source = "127.0.0.2", "127.0.0.3"
    await at_window_start()
    async with public(url, source=source) as spoofing, public(url, source=other_source) as other:
        statuses = []
        for _ in range(LIMIT + 2):  # a fresh X-Forwarded-For each time: ignored from an untrusted peer
            spoofing.headers["X-Forwarded-For"] = client_ip()
            statuses.append((await spoofing.get("/verification-key")).status_code)
        assert statuses[:LIMIT] == [200] * LIMIT and statuses[LIMIT:] == [429, 429], statuses
        assert (await other.get("/verification-key")).status_code == 200, "another source address: another client"


async def test_online_applications_and_verification_are_limited_per_client_across_replicas(
        system: System, replicas: dict[str, list[str]]) -> None:
    first, second = replicas["permits"]
    code = await qr_code(system)
    holder, key = await registered_holder(system)
    accepted = 0
    for _attempt in range(3):
        a, b = client_ip(), client_ip()
        window = await at_window_start()
        async with public(first, a) as a1, public(second, a) as a2, public(first, b) as b1:
            statuses = [(await (a1 if i % 2 else a2).post("/online-applications", json=online_application(holder, key, code))).status_code
                        for i in range(LIMIT + 1)]
            other = await b1.post("/online-applications", json=online_application(holder, key, code))
            checks = [(await (a1 if i % 2 else a2).post("/verify", json={"code": "TGP1.x.y"})).status_code
                      for i in range(LIMIT + 1)]
        accepted += [*statuses, other.status_code].count(201)
        if int(time.time() // WINDOW_S) == window:
            break
    else:
        pytest.fail("three attempts crossed a window boundary")
    assert statuses == [201] * LIMIT + [429] and other.status_code == 201
    assert checks == [422] * LIMIT + [429], "refused input counts too; each route has its own count"
    async with system.client("permits") as admin:
        listed = (await admin.get("/applications", params={"holder_id": holder, "limit": 200})).json()["items"]
    assert len(listed) == accepted, "nothing stored for a 429"


async def qr_code(system: System, checkpoint_id: str = "CP-C03-017") -> str:
    async with system.client("permits") as admin:
        found = await admin.get(f"/checkpoints/{checkpoint_id}/qr-code")
        assert found.status_code == 200, found.text
        return found.json()["qr_code"]


async def chunks(size: int) -> AsyncIterator[bytes]:
    yield b'{"kind": "other", "compound_id": "C99-x", "description": "'
    for _ in range(size // 1000):
        yield b"x" * 1000
    yield b'"}'


async def test_oversized_bodies_get_413_and_wrong_content_types_415_and_nothing_is_stored(
        system: System, replicas: dict[str, list[str]]) -> None:
    compound = f"C99-{uuid.uuid4().hex[:8]}"
    holder, key = resident_id(), "0000-0000-0000-0000-0000"  # refused for its size or type before the key is checked
    code = await qr_code(system)
    registry_url, permits_url = replicas["registry"][0], replicas["permits"][0]
    async with public(registry_url, client_ip()) as tips:
        huge = await tips.post("/tips/public", json=tip(compound, description="x" * 20_000))
        chunked = await tips.post("/tips/public", content=chunks(50_000), headers={"Content-Type": "application/json"})
    async with public(registry_url, client_ip()) as tips:
        form = await tips.post("/tips/public", content=b"kind=other", headers={"Content-Type": "application/x-www-form-urlencoded"})
        text = await tips.post("/tips/public", content=json.dumps(tip(compound)).encode(), headers={"Content-Type": "text/plain"})
    async with public(permits_url, client_ip()) as anyone:
        big = await anyone.post("/online-applications", json=online_application(holder, key, code, employer="x" * 200,
                                                                               padding="y" * 40_000))
        untyped = await anyone.post("/online-applications",
                                    content=json.dumps(online_application(holder, key, code)).encode())
        verify_big = await anyone.post("/verify", json={"code": "TGP1." + "a" * 10_000})
    assert [r.status_code for r in (huge, chunked, big, verify_big)] == [413] * 4
    assert [r.status_code for r in (form, text, untyped)] == [415] * 3
    for refused in (huge, chunked, big, verify_big, form, text, untyped):
        assert refused.headers["content-type"] == "application/problem+json", refused.text
    assert huge.json()["errors"][0]["field"] == "body" and form.json()["errors"][0]["field"] == "header.content-type"
    assert await stored_tips(system, compound) == 0
    async with system.client("permits") as admin:
        assert (await admin.get("/applications", params={"holder_id": holder})).json()["items"] == []


async def registered(system: System, *, in_quarantine: bool = False) -> tuple[str, str, str]:
    """A returnee registered (and put in quarantine), as the permits service knows them: resident id,
    national ID number, holder key."""
    body = returnee()
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=body)
        assert created.status_code == 201, created.text
        resident = created.json()["resident"]["resident_id"]
        if in_quarantine:
            started = await registry.post(f"/residents/{resident}/quarantines", json=quarantine_order())
            assert started.status_code == 201, started.text
    await announced(system, resident)
    if in_quarantine:
        await known_in_quarantine(system, resident)
    return resident, str(body["national_id"]), created.json()["holder_key"]


VARYING = {"permit_id", "receipt", "applied_at", "holder_resident_id", "due_at", "tip_id", "valid_from", "valid_until"}


def shape(answer: Any) -> Any:
    """An answer without what differs between any two requests (ids, times, the receipt)."""
    if isinstance(answer, dict):
        return {k: ("…" if k in VARYING else shape(v)) for k, v in answer.items()}
    if isinstance(answer, list):
        return [shape(v) for v in answer]
    return answer


async def test_answers_are_the_same_for_registered_unknown_and_quarantined_people(
        system: System, replicas: dict[str, list[str]]) -> None:
    (known, national_id, known_key), unknown = await registered(system), resident_id()
    in_quarantine, _, quarantined_key = await registered(system, in_quarantine=True)
    code = await qr_code(system)
    permits_url, registry_url = replicas["permits"][1], replicas["registry"][1]

    # With the holder's key (only the holder has it): the same answer in quarantine or not.
    applied, statuses = {}, {}
    for who, holder, key in (("registered", known, known_key), ("quarantined", in_quarantine, quarantined_key)):
        async with public(permits_url, client_ip()) as anyone:
            answer = await anyone.post("/online-applications", json=online_application(holder, key, code))
            status = await anyone.get(f"/applications/{answer.json()['permit_id']}/status",
                                      params={"receipt": answer.json()["receipt"]})
        applied[who] = (answer.status_code, shape(answer.json()))
        statuses[who] = (status.status_code, shape(status.json()))
    assert applied["registered"] == applied["quarantined"]
    assert applied["registered"][0] == 201 and applied["registered"][1]["status"] == "under_review"
    assert statuses["registered"] == statuses["quarantined"]
    # Without it: the same refusal whether the person is registered, unknown or in quarantine.
    refused = {}
    for who, holder in (("registered", known), ("unknown", unknown), ("quarantined", in_quarantine)):
        async with public(permits_url, client_ip()) as anyone:
            answer = await anyone.post("/online-applications",
                                       json=online_application(holder, "0000-0000-0000-0000-0000", code))
        refused[who] = (answer.status_code, shape(answer.json()), sorted(answer.headers.keys()))
    assert refused["registered"] == refused["unknown"] == refused["quarantined"]
    assert refused["registered"][0] == 422

    tips = {}
    for who, subject in (("registered", national_id), ("unknown", "11010519491231002X"), ("nobody", None)):
        async with public(registry_url, client_ip()) as anyone:
            body = tip("C03-017", **({"subject_national_id": subject} if subject else {}))
            answer = await anyone.post("/tips/public", json=body)
        tips[who] = (answer.status_code, shape(answer.json()), sorted(answer.headers.keys()))
    assert tips["registered"] == tips["unknown"] == tips["nobody"]
    assert tips["registered"][:2] == (202, {"tip_id": "…", "status": "received"})


async def test_public_verification_says_only_valid_or_not_staff_get_the_detail(
        system: System, replicas: dict[str, list[str]]) -> None:
    holder, other = resident_id(), resident_id()
    permits = []
    async with system.client("permits") as admin:
        for who in (holder, other, resident_id()):
            made = await admin.post("/applications", json=health_certificate(who))
            assert made.status_code == 201, made.text
            permits.append(made.json())
    async with reviewer(system, "health") as health:
        for p in permits:
            issued = await health.post(f"/applications/{p['permit_id']}/reviews/health", json={"decision": "approve"})
            assert issued.json()["status"] == "issued", issued.text
            p.update(issued.json(), verification_code=await holder_code(system, p["permit_id"], p["receipt"]))
    valid, suspended, revoked = permits
    async with system.client("permits") as admin:
        assert (await admin.post(f"/permits/{revoked['permit_id']}/revoke", json={"reason": "fraud"})).status_code == 200
    event = QuarantineStarted(resident_id=other, quarantine_id=f"qua_{uuid.uuid4().hex}", household_id="hh_1",
                              compound_id="C03-017", kind="home", started_at=datetime.now(UTC),
                              planned_end=date(2030, 2, 8))
    await produce(system.kafka, "registry.resident.v1", other.encode(),
                  json.dumps(outbox_entries(other, 0, [event])[0]["envelope"]).encode())
    url = replicas["permits"][1]
    async with system.client("permits") as admin:
        async def suspended_now() -> bool:
            return (await admin.get(f"/applications/{suspended['permit_id']}")).json()["status"] == "suspended"

        await eventually(suspended_now, timeout=30)

    answers = {}
    for name, p in (("valid", valid), ("suspended", suspended), ("revoked", revoked)):
        async with public(url, client_ip()) as anyone:
            found = await anyone.post("/verify", json={"code": p["verification_code"]})
            assert found.status_code == 200, found.text
            answers[name] = shape(found.json())
        async with public(url, client_ip()) as staff:
            staff.headers["Authorization"] = f"Bearer {system.token(Role.COMPOUND_VOLUNTEER, scope='compound:C03-017')}"
            detailed = await staff.post("/verify", json={"code": p["verification_code"]})
            assert detailed.json()["status"] == name and detailed.json()["detailed"] is True
    assert answers["valid"]["status"] == "valid" and answers["valid"]["detailed"] is False
    assert answers["suspended"] == answers["revoked"], "a suspension (quarantine) looks like any other invalid permit"
    assert answers["suspended"]["status"] == "not_valid"
    async with public(url, client_ip()) as forged:
        forged.headers["Authorization"] = "Bearer not-a-token"
        assert (await forged.post("/verify", json={"code": valid["verification_code"]})).status_code == 401


async def test_the_limiter_on_the_real_database_exact_under_concurrency_and_cheap(system: System) -> None:
    client = AsyncMongoClient(system.mongo_url)
    try:
        slots = client["ratelimit_measurement"][f"slots_{uuid.uuid4().hex[:8]}"]
        one, other = FixedWindowLimiter(slots), FixedWindowLimiter(slots)
        waits = await asyncio.gather(*((one if i % 2 else other).take("burst", 20, 3600) for i in range(60)))
        assert sum(1 for w in waits if w == 0) == 20, "two replicas, 60 concurrent requests: exactly the limit"

        limit = 128
        calls = one.database_calls
        started = time.perf_counter()
        for _ in range(40):
            assert await one.take("steady", limit, 3600) == 0
        same_replica_ms = (time.perf_counter() - started) / 40 * 1000
        assert one.database_calls - calls == 40, "one insert per request"

        calls = one.database_calls + other.database_calls
        started = time.perf_counter()
        for i in range(40):
            assert await (one if i % 2 else other).take("steady", limit, 3600) == 0
        alternating_ms = (time.perf_counter() - started) / 40 * 1000
        per_request = (one.database_calls + other.database_calls - calls) / 40
        assert per_request <= 3.5, "a failed insert, one read by _id, an insert"

        while await one.take("steady", limit, 3600) == 0:
            pass
        calls = one.database_calls
        started = time.perf_counter()
        for _ in range(200):
            assert await one.take("steady", limit, 3600) > 0
        refused_ms = (time.perf_counter() - started) / 200 * 1000
        assert one.database_calls == calls, "refused from memory"
        print(f"\nrate limiter on {system.config.mongo_url.split('?')[0]}: allowed request {same_replica_ms:.1f} ms "
              f"(1 insert); alternating replicas {alternating_ms:.1f} ms ({per_request:.1f} calls); "
              f"refused {refused_ms * 1000:.0f} µs (no call)")
    finally:
        await client.drop_database("ratelimit_measurement")
        await client.close()
