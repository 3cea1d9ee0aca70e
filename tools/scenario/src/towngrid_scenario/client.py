"""The scenario's only way in: the services' public HTTP APIs, with bounded concurrency, a token
per role, and an ``Idempotency-Key`` derived from the seed and the step on every POST."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Who:
    """A staff member the scenario acts as (the token's claims); ``None`` role: the public."""

    role: str | None = "town_admin"
    scope: str = "town"
    subject: str = "scn-town-admin"
    department: str | None = None
    org: str | None = None


ADMIN = Who()
PUBLIC = Who(role=None, subject="public")
Mint = Callable[[Who], str]


class Refused(Exception):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path}: {status} {body}")
        self.status, self.body = status, body


class Api:
    """``post`` and ``get`` on the four services. A POST's key is ``sha256(seed|scale|step)``: a
    resumed run sends the same keys and the services answer what they answered the first time."""

    def __init__(self, urls: dict[str, str], mint: Mint, *, namespace: str, concurrency: int = 16,
                 on_request: Callable[[], None] | None = None) -> None:
        self._urls, self._mint, self._ns = urls, mint, namespace
        self._tokens: dict[Who, str] = {}
        self._gate = asyncio.Semaphore(concurrency)
        self._width = concurrency
        self._client = httpx.AsyncClient(timeout=60, limits=httpx.Limits(
            max_connections=concurrency * 2, keepalive_expiry=2.0))
        self._on_request = on_request or (lambda: None)
        self.requests = 0

    async def close(self) -> None:
        await self._client.aclose()

    def key(self, step: str) -> str:
        return hashlib.sha256(f"{self._ns}|{step}".encode()).hexdigest()[:48]

    def _headers(self, who: Who, key: str | None) -> dict[str, str]:
        headers = {}
        if who.role is not None:
            if who not in self._tokens:
                self._tokens[who] = self._mint(who)
            headers["Authorization"] = f"Bearer {self._tokens[who]}"
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def get(self, service: str, path: str, who: Who = ADMIN, **params: Any) -> Any:
        return await self._send("GET", service, path, who, None, None, params)

    async def post(self, service: str, path: str, body: Any, *, step: str, who: Who = ADMIN,
                   wait_s: float = 0.0, wait_on: tuple[int, ...] = (404, 409, 422),
                   done_on: tuple[int, ...] = ()) -> Any:
        """POST ``body``; ``wait_s``: while the answer is one of ``wait_on`` (another service has not
        yet heard of something), try again (a new key per attempt, derived from the step) until
        ``wait_s`` passed. ``done_on``: statuses meaning the step was taken before (a state machine
        refusing the same transition again on a resumed run); answered as ``None``."""
        deadline, attempt = time.monotonic() + wait_s, 0
        while True:
            key = self.key(step if attempt == 0 else f"{step}#{attempt}")
            try:
                return await self._send("POST", service, path, who, body, key, {})
            except Refused as refused:
                if refused.status in done_on:
                    return None
                if refused.status not in wait_on or time.monotonic() > deadline:
                    raise
            attempt += 1
            await asyncio.sleep(min(0.25 * attempt, 2.0))

    async def put(self, service: str, path: str, body: Any, who: Who = ADMIN) -> Any:
        return await self._send("PUT", service, path, who, body, None, {})

    async def _send(self, method: str, service: str, path: str, who: Who, body: Any, key: str | None,
                    params: dict[str, Any], content_type: str | None = None) -> Any:
        url = self._urls[service] + path
        headers = self._headers(who, key)
        for attempt in range(12):
            async with self._gate:
                try:
                    if isinstance(body, str):
                        answer = await self._client.request(method, url, content=body.encode(), params=params,
                                                            headers=headers | {"Content-Type": "text/csv"})
                    else:
                        answer = await self._client.request(method, url, json=body, params=params, headers=headers)
                except httpx.TransportError:
                    answer = None
            self.requests += 1
            self._on_request()
            if answer is None or answer.status_code >= 500:
                await asyncio.sleep(min(0.5 * 2 ** attempt, 8.0))
                continue
            if answer.status_code == 429:
                await asyncio.sleep(float(answer.headers.get("Retry-After", "5")) + 0.5)
                continue
            payload = answer.json() if answer.content else None
            if answer.status_code == 409 and key is not None and "still being processed" in str(payload):
                await asyncio.sleep(1.0)
                continue
            if answer.status_code >= 400:
                raise Refused(method, path, answer.status_code, payload)
            return payload
        raise Refused(method, path, answer.status_code if answer is not None else 0, "gave up after 12 attempts")

    async def each(self, items: list[Any], act: Callable[[Any], Any]) -> list[Any]:
        """``act`` on every item, by as many workers as requests may be in flight. Not one task per
        item: thousands of them would queue at the gate ahead of every other act's requests (and
        of their own next steps), so the acts that wait on this one would start only at its end."""
        results: list[Any] = [None] * len(items)
        todo = iter(enumerate(items))

        async def worker() -> None:
            for k, item in todo:
                results[k] = await act(item)

        await asyncio.gather(*(worker() for _ in range(min(self._width, len(items)))))
        return results

    async def pages(self, service: str, path: str, who: Who = ADMIN, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged list."""
        found, after = [], None
        while True:
            page = await self.get(service, path, who, limit=200, **params, **({"after": after} if after else {}))
            found.extend(page["items"])
            after = page.get("next_after")
            if not after:
                return found
