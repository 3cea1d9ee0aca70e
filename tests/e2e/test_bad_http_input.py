"""Bad HTTP input on every service: a clear 4xx (a problem document naming what is wrong), never
a 5xx. Every operation that takes a JSON body (read from the running api's OpenAPI document, so
new endpoints are covered) gets each kind of bad body: oversized, nested 10,000 deep, the wrong
content type, bytes that are not UTF-8, a byte order mark, NaN/Infinity, a number too big for
BSON's 64-bit integers, a key given twice, and text with a NUL character.

Public routes are rate-limited (``towngrid_kit.request_limits``): a 429 there is an acceptable
answer to bad input too (it is a 4xx and is documented).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from e2e_support import System
from people import returnee

pytestmark = pytest.mark.stack

SERVICES = ("registry", "permits", "delivery", "labor", "board")
PROBE_ID = "bad-input-probe-0"
TEN_MB = 10 * 1024 * 1024
PROBLEM_JSON = "application/problem+json"


async def json_operations(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    document = (await client.get("/openapi.json")).json()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", PROBE_ID, path)))
    return found


def is_clear_refusal(response: httpx.Response, *statuses: int, public: bool = False) -> str | None:
    """None if ``response`` is one of ``statuses`` (or 429 on a public route) with a problem
    document that says what is wrong; otherwise what is wrong with the answer."""
    allowed = set(statuses) | ({429} if public else set())
    if response.status_code not in allowed:
        return f"{response.status_code} (expected {sorted(allowed)}): {response.text[:200]}"
    if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return f"{response.status_code} without a problem document: {response.headers.get('content-type')}"
    body = response.json()
    if not body.get("detail"):
        return f"{response.status_code} with no detail: {body}"
    return None


async def refusals(system: System, service: str, body: bytes, content_type: str, *statuses: int) -> list[str]:
    """Send ``body`` to every JSON operation of ``service``; the answers that are not a clear refusal."""
    wrong = []
    async with system.client(service) as client:
        public = public_paths(service)
        for method, path in await json_operations(client):
            response = await client.request(method, path, content=body, headers={"Content-Type": content_type})
            problem = is_clear_refusal(response, *statuses, public=(method, path) in public)
            if problem:
                wrong.append(f"{method} {path}: {problem}")
    return wrong


def public_paths(service: str) -> set[tuple[str, str]]:
    return {("POST", "/online-applications"), ("POST", "/verify"), ("POST", "/holder-appeals"),
            ("POST", "/tips/public")}


BAD_BODIES = {
    # name: (body, content type, acceptable statuses)
    # 20 kB: over the public routes' own body caps, so 413 there
    "nested 10,000 deep": (b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "application/json", (413, 422)),
    "text/plain": (b'{"a": 1}', "text/plain", (415, 422)),
    "application/xml": (b"<a>1</a>", "application/xml", (415, 422)),
    "not UTF-8": (b'{"name": "\xff\xfe\xfa"}', "application/json", (400,)),
    "latin-1 declared as UTF-8": ('{"name": "Müller"}'.encode("latin-1"), "application/json; charset=utf-8", (400,)),
    # JSON may start with a BOM (RFC 8259 lets a reader ignore it): the body is then read as usual.
    "byte order mark": (b'\xef\xbb\xbf{"a": 1}', "application/json", (404, 409, 422)),
    "NaN": (b'{"a": NaN}', "application/json", (422,)),
    "Infinity": (b'{"a": [1, Infinity]}', "application/json", (422,)),
    "1e400": (b'{"a": 1e400}', "application/json", (422,)),
    "2**64": (b'{"a": 18446744073709551616}', "application/json", (422,)),
    "-2**63-1": (b'{"a": -9223372036854775809}', "application/json", (422,)),
    "duplicate keys": (b'{"a": 1, "a": 2}', "application/json", (422,)),
    "NUL in a string": (b'{"a": "x\\u0000y"}', "application/json", (422,)),
    "NUL in a key": (b'{"a\\u0000": 1}', "application/json", (422,)),
    "not JSON": (b'{"a": ', "application/json", (422,)),
    "a JSON array": (b"[1, 2, 3]", "application/json", (422,)),
    "empty": (b"", "application/json", (404, 409, 422)),  # some bodies are optional: then the probe id is unknown
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("kind", sorted(BAD_BODIES))
async def test_bad_bodies_get_a_clear_4xx(system: System, service: str, kind: str) -> None:
    body, content_type, statuses = BAD_BODIES[kind]
    assert await refusals(system, service, body, content_type, *statuses) == []


@pytest.mark.parametrize("service", SERVICES)
async def test_a_10_mb_body_is_refused_413(system: System, service: str) -> None:
    big = b'{"a": "' + b"x" * TEN_MB + b'"}'
    assert await refusals(system, service, big, "application/json", 413) == []


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    yield b'{"a": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


@pytest.mark.parametrize("service", SERVICES)
async def test_a_10_mb_chunked_body_without_length_is_refused_413(system: System, service: str) -> None:
    async with system.client(service) as client:
        method, path = (await json_operations(client))[0]
        try:
            response = await client.request(method, path, content=chunks(TEN_MB),
                                            headers={"Content-Type": "application/json"})
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pytest.fail("the api dropped the connection instead of answering 413")
    assert is_clear_refusal(response, 413) is None, response.text[:300]


async def test_a_realistic_body_with_bad_values_is_refused_naming_the_field(system: System) -> None:
    async with system.client("registry") as client:
        nul = await client.post("/residents", json=returnee(name="测试\x00居民"))
        assert is_clear_refusal(nul, 422) is None
        assert nul.json()["errors"] == [{"field": "body.name", "message": "the text contains a NUL character"}]

        body = httpx.Request("POST", "/", json=returnee()).content.replace(b'"travel_mode"', b'"rooms": 1e999, "travel_mode"')
        too_big = await client.post("/residents", content=body, headers={"Content-Type": "application/json"})
        assert is_clear_refusal(too_big, 422) is None
        assert too_big.json()["errors"][0]["field"] == "body.rooms"

        still_fine = await client.post("/residents", json=returnee())
        assert still_fine.status_code == 201, still_fine.text
