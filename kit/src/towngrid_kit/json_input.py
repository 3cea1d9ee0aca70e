"""``StrictJsonBodies``: JSON request bodies the database could not store, or that mean two
things, are refused with a 4xx naming what is wrong, before any route sees them.

Python's JSON reader accepts things JSON (RFC 8259) does not have or that MongoDB/BSON (and
FerretDB) cannot store; each would otherwise fail deep in a use case as a 500:

- ``NaN``, ``Infinity``, ``-Infinity`` and numbers that overflow a double (``1e400``) → 422;
- integers outside the signed 64-bit range (BSON's largest integer) → 422;
- a key given twice in one object (which one counts?) → 422;
- the NUL character in a key or a string (BSON keys are C strings) → 422;
- nesting deeper than ``MAX_DEPTH`` → 422; bytes that are not UTF-8 → 400.

Only requests whose content type is JSON (``application/json`` or ``...+json``) are read;
``BodySizeLimit`` (outside this middleware) has already capped the body's size.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from towngrid_kit.problems import problem
from towngrid_kit.request_limits import replayed

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 64


class BadJson(Exception):
    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def _reject_constant(name: str) -> Any:  # noqa: ANN401
    raise BadJson(422, "body", f"{name} is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadJson(422, "body", f"the key {key[:60]!r} appears twice in one object")
        out[key] = value
    return out


def check_json_body(body: bytes) -> None:
    """Raise :class:`BadJson` if ``body`` holds something a towngrid api must refuse.

    A body that is not JSON at all is left to FastAPI, which answers 422 ``json_invalid``."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadJson(400, "body", f"the body is not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise BadJson(422, "body", f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError:
        return
    _walk(document)


def _walk(document: Any) -> None:  # noqa: ANN401
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ("body",))]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH + 1:
            raise BadJson(422, "body", f"the JSON is nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise BadJson(422, ".".join(path), "the number is outside the 64-bit integer range")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise BadJson(422, ".".join(path), "the number is too large")
        elif isinstance(value, str):
            if "\x00" in value:
                raise BadJson(422, ".".join(path), "the text contains a NUL character")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise BadJson(422, ".".join(path), "a key contains a NUL character")
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            media = value.decode("latin-1").split(";")[0].strip().lower()
            return media == "application/json" or media.endswith("+json")
    return False


class StrictJsonBodies:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_json_body(body)
        except BadJson as bad:
            title = "Bad request" if bad.status == 400 else "Invalid input"
            await problem(bad.status, title, f"{bad.field}: {bad.message}",
                          errors=[{"field": bad.field, "message": bad.message}])(scope, receive, send)
            return
        await self.app(scope, replayed(body, receive), send)
