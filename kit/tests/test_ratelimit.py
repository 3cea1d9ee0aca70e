"""The per-client limiter (insert-only slots) and the request guard middleware, in memory.

The fake collection yields to the event loop on every call, so concurrent takes really
interleave (two "replicas" are two limiters on one collection). The same limiter runs on the
real FerretDB in tests/e2e/test_public_endpoints.py.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pymongo.errors import DuplicateKeyError

from towngrid_kit.ratelimit import FixedWindowLimiter, client_address, trusted_networks
from towngrid_kit.request_limits import BodySizeLimit, PublicRoute


class FakeSlots:
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.calls = 0

    async def insert_one(self, doc: dict[str, Any]) -> None:
        self.calls += 1
        await asyncio.sleep(0)
        if doc["_id"] in self.docs:
            raise DuplicateKeyError("E11000 duplicate key")
        self.docs[doc["_id"]] = doc

    async def find_one(self, query: dict[str, Any], projection: Any = None) -> dict[str, Any] | None:
        self.calls += 1
        await asyncio.sleep(0)
        return self.docs.get(query["_id"])

    async def delete_many(self, query: dict[str, Any]) -> None:
        cutoff = query["expires_at"]["$lt"]
        self.docs = {k: v for k, v in self.docs.items() if v["expires_at"] >= cutoff}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_client_gets_limit_requests_per_window_then_waits_for_the_next() -> None:
    clock = Clock(1_000_005.0)
    limiter = FixedWindowLimiter(FakeSlots(), clock=clock)  # type: ignore[arg-type]
    waits = [await limiter.take("a", 3, 10) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(5.0), "until the window ends"
    assert await limiter.take("b", 3, 10) == 0.0, "another client has its own count"
    clock.now += 5.0
    assert await limiter.take("a", 3, 10) == 0.0, "a new window"


async def test_replicas_sharing_the_collection_allow_exactly_the_limit_under_concurrency() -> None:
    slots = FakeSlots()
    replicas = [FixedWindowLimiter(slots, clock=Clock()) for _ in range(3)]  # type: ignore[arg-type]
    waits = await asyncio.gather(*(replicas[i % 3].take("c", 10, 60) for i in range(45)))
    assert sum(1 for w in waits if w == 0.0) == 10
    taken = sorted(int(k.rsplit("|", 1)[1]) for k in slots.docs)
    assert taken == list(range(10)), "slots are taken in order, none twice"


async def test_costs_one_insert_per_request_a_few_reads_after_another_replica_and_none_once_refused() -> None:
    slots = FakeSlots()
    one, other = (FixedWindowLimiter(slots, clock=Clock()) for _ in range(2))  # type: ignore[arg-type]
    for _ in range(20):
        await one.take("d", 64, 60)
    assert slots.calls == 20, "one insert per request from the replica that served the client before"
    before = slots.calls
    assert await other.take("d", 64, 60) == 0.0
    assert slots.calls - before <= 2 + 2 * math.ceil(math.log2(20)), "a failed insert, a search by _id, an insert"
    before = slots.calls
    assert await one.take("d", 64, 60) == 0.0
    assert slots.calls - before == 3, "the other replica took one slot: a failed insert, one read, an insert"
    for _ in range(42):
        await other.take("d", 64, 60)
    before = slots.calls
    assert await other.take("d", 64, 60) > 0
    assert await other.take("d", 64, 60) > 0
    assert slots.calls - before == 0, "a client refused in this window is refused from memory"
    assert await one.take("d", 64, 60) > 0, "the other replica finds the window full"


async def test_old_windows_are_deleted() -> None:
    slots, clock = FakeSlots(), Clock()
    limiter = FixedWindowLimiter(slots, clock=clock)  # type: ignore[arg-type]
    await limiter.take("e", 5, 10)
    clock.now += 120
    await limiter.take("e", 5, 10)
    await asyncio.sleep(0.01)
    assert len(slots.docs) == 1


def test_forwarded_for_counts_only_from_trusted_proxies() -> None:
    proxies = trusted_networks(["10.0.0.0/8", "127.0.0.1"])
    assert client_address("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9", "untrusted peer: header ignored"
    assert client_address("10.1.1.1", ["198.51.100.7"], proxies) == "198.51.100.7"
    assert client_address("10.1.1.1", ["6.6.6.6, 198.51.100.7, 10.2.2.2"], proxies) == "198.51.100.7", \
        "read from the right, past our own proxies; the client's own entries prove nothing"
    assert client_address("127.0.0.1", ["junk, 198.51.100.7"], proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", ["198.51.100.7, junk"], proxies) == "127.0.0.1"
    assert client_address("10.1.1.1", [], proxies) == "10.1.1.1"
    assert client_address("10.1.1.1", ["2001:db8::1"], proxies) == "2001:db8::1"


def guarded_app(limit: int = 2, trusted: list[str] | None = None) -> tuple[FastAPI, list[bytes]]:
    app = FastAPI()
    seen: list[bytes] = []

    @app.post("/public/{thing}")
    async def public(thing: str, request: Request) -> dict[str, str]:
        seen.append(await request.body())
        return {"thing": thing}

    @app.post("/staff")
    async def staff(request: Request) -> dict[str, int]:
        seen.append(await request.body())
        return {"size": len(await request.body())}

    app.state.rate_limiter = FixedWindowLimiter(FakeSlots())  # type: ignore[arg-type]
    app.add_middleware(BodySizeLimit, max_body_bytes=2000, window_s=60, trusted_proxies=trusted or [],
                       public_routes=[PublicRoute("POST", "/public/{thing}", limit=limit, max_body_bytes=100)])
    return app, seen


def client(app: FastAPI, address: str = "192.0.2.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)), base_url="http://t")


async def test_bodies_over_the_cap_are_refused_before_the_app_reads_them_chunked_too() -> None:
    app, seen = guarded_app(limit=100)
    async with client(app) as c:
        assert (await c.post("/public/x", json={"a": "b"})).status_code == 200
        declared = await c.post("/public/x", content=b"{" + b" " * 200 + b"}", headers={"Content-Type": "application/json"})
        assert declared.status_code == 413 and declared.headers["content-type"] == "application/problem+json"

        async def chunks():  # no Content-Length: sent chunked
            for _ in range(5):
                yield b"x" * 30

        chunked = await c.post("/public/x", content=chunks(), headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413
        assert (await c.post("/staff", content=b"y" * 1500)).json() == {"size": 1500}, "the app's own cap"
        assert (await c.post("/staff", content=b"y" * 2001)).status_code == 413
    assert seen == [b'{"a":"b"}', b"y" * 1500]


async def test_public_routes_take_only_their_content_types() -> None:
    app, seen = guarded_app(limit=100)
    async with client(app) as c:
        wrong = await c.post("/public/x", content=b"kind=other", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert wrong.status_code == 415 and wrong.json()["errors"][0]["field"] == "header.content-type"
        assert (await c.post("/public/x", content=b"{}")).status_code == 415, "no content type"
        ok = await c.post("/public/x", content=b"{}", headers={"Content-Type": "application/json; charset=utf-8"})
        assert ok.status_code == 200
    assert seen == [b"{}"]


async def test_public_routes_are_limited_per_client_with_retry_after() -> None:
    app, _ = guarded_app(limit=2, trusted=["192.0.2.1"])
    async with client(app) as c:
        statuses = [(await c.post("/public/x", json={})).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = await c.post("/public/y", json={})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["status"] == 429
        behind_proxy = await c.post("/public/x", json={}, headers={"X-Forwarded-For": "198.51.100.7"})
        assert behind_proxy.status_code == 200, "another client behind the trusted proxy"
        assert (await c.post("/staff", content=b"z")).status_code == 200, "staff routes are not limited here"
    async with client(app, "192.0.2.2") as other:
        assert (await other.post("/public/x", json={}, headers={"X-Forwarded-For": "198.51.100.8"})).status_code == 200
        spoofed = [(await other.post("/public/x", json={}, headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                   for i in range(20, 23)]
        assert spoofed == [200, 429, 429], "an untrusted peer's X-Forwarded-For is ignored"
