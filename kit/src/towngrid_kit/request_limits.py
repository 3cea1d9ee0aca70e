"""``BodySizeLimit``: the ASGI middleware that guards every api's requests before any parsing.

- Every request body is capped (``max_body_bytes`` per app, or a route's own cap): a declared
  ``Content-Length`` over the cap, or a chunked body that grows past it, is answered 413 before
  the app reads a byte of it (the body is buffered up to the cap, then handed on).
- Public routes (``PublicRoute``) are also rate-limited per client (``ratelimit``: one counter
  for all replicas, in MongoDB; 429 with ``Retry-After``) and accept only their content types
  (415). The limit is counted first, so refused input counts too.

All refusals are ``application/problem+json``. The middleware also notes who the caller is
(``auth.current_caller``: the client's address until a token says more) for the request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from towngrid_kit.auth import caller_at, current_caller
from towngrid_kit.mongo import is_unavailable
from towngrid_kit.problems import problem
from towngrid_kit.ratelimit import FixedWindowLimiter, client_address, retry_after_header, trusted_networks

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class PublicRoute:
    """A route anyone may call: limited per client, with its own body cap and content types."""

    method: str
    path: str  # the route's template, e.g. "/applications/{permit_id}/status"
    limit: int  # requests per client per window
    max_body_bytes: int | None = None
    content_types: tuple[str, ...] = ("application/json",)
    bucket: str = ""  # counters are per bucket and client; default "<METHOD> <path>"
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path)) + "$"
        object.__setattr__(self, "pattern", re.compile(regex))
        if not self.bucket:
            object.__setattr__(self, "bucket", f"{self.method} {self.path}")


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, public_routes: Sequence[PublicRoute] = (),
                 window_s: float = 60.0, trusted_proxies: Sequence[str] = ()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.routes = tuple(public_routes)
        self.window_s = window_s
        self.trusted = trusted_networks(trusted_proxies)

    def route_of(self, method: str, path: str) -> PublicRoute | None:
        return next((r for r in self.routes if r.method == method and r.pattern.match(path)), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        peer = scope.get("client")
        client = client_address(peer[0] if peer else None, headers.get("x-forwarded-for", []), self.trusted)
        caller = current_caller.set(caller_at(client))
        try:
            await self._guard(scope, receive, send, headers, client)
        finally:
            current_caller.reset(caller)

    async def _guard(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, list[str]],
                     client: str) -> None:
        method = scope["method"]
        route = self.route_of(method, scope["path"])
        if route is not None:
            refused = await self._rate_limited(scope, route, client)
            if refused is not None:
                await refused(scope, receive, send)
                return
        if method not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if route is not None and route.content_types:
            media = headers.get("content-type", [""])[0].split(";")[0].strip().lower()
            if media not in route.content_types:
                await problem(415, "Unsupported media type",
                              f"send the body as {' or '.join(route.content_types)} (got {media or 'none'})",
                              errors=[{"field": "header.content-type", "message": "unsupported media type"}],
                              )(scope, receive, send)
                return
        cap = route.max_body_bytes if route is not None and route.max_body_bytes else self.max_body_bytes
        declared = headers.get("content-length", [""])[0]
        try:
            if declared.isdigit() and int(declared) > cap:
                raise _TooLarge
            body = await _read_up_to(receive, cap)
        except _TooLarge:
            await problem(413, "Payload too large", f"the body is larger than {cap} bytes",
                          errors=[{"field": "body", "message": f"at most {cap} bytes"}])(scope, receive, send)
            return
        await self.app(scope, replayed(body, receive), send)

    async def _rate_limited(self, scope: Scope, route: PublicRoute, client: str) -> Any:
        limiter: FixedWindowLimiter | None = getattr(scope["app"].state, "rate_limiter", None)
        if limiter is None:
            return problem(503, "Service unavailable", "the api is starting")
        try:
            wait = await limiter.take(f"{route.bucket}|{client}", route.limit, self.window_s)
        except Exception as error:
            if is_unavailable(error):
                return problem(503, "Service unavailable", "the database is unavailable; retry shortly")
            raise
        if not wait:
            return None
        response = problem(429, "Too many requests",
                           f"at most {route.limit} requests per {self.window_s:g} s from one client; "
                           f"retry in {retry_after_header(wait)['Retry-After']} s")
        response.headers.update(retry_after_header(wait))
        return response


def _headers(scope: Scope) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in scope.get("headers", []):
        found.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return found


async def _read_up_to(receive: Receive, cap: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the app sees an empty body and the disconnect after it
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replayed(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read from ``receive`` once, then reads on."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
