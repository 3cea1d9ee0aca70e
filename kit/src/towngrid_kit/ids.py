"""The id and the time of a new fact.

Ids are ``<prefix>_<hex>``: opaque, they reveal nothing. Outside a request with an
``Idempotency-Key`` they are random. Within one (``minted_for``, set by ``idempotency``) the
n-th id of a prefix is derived from the request's key, so a retry of the request — after an
attempt that stored its change and died before answering — makes the very same ids: its new
aggregate collides with the one stored and the retry answers ``already_applied`` instead of
creating it twice. (Mint ids before the unit of work's change, not inside it: a change may run
more than once within one attempt.) ``ordered_id`` sorts by creation time (for lists promised
in creation order); within a request the time is that of the request's first attempt.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class _RequestIds:
    key: str
    started_at: datetime
    made: Counter[str] = field(default_factory=Counter)

    def next(self, prefix: str, length: int) -> str:
        n = self.made[prefix]
        self.made[prefix] += 1
        return hashlib.sha256(f"{self.key}\n{prefix}\n{n}".encode()).hexdigest()[:length]


_request: ContextVar[_RequestIds | None] = ContextVar("towngrid_request_ids", default=None)


@contextmanager
def minted_for(request_key: str, started_at: datetime) -> Iterator[None]:
    """Within this block, ids are derived from ``request_key`` (the same on every retry)."""
    token = _request.set(_RequestIds(request_key, started_at))
    try:
        yield
    finally:
        _request.reset(token)


def new_id(prefix: str) -> str:
    request = _request.get()
    return f"{prefix}_{request.next(prefix, 32) if request else uuid.uuid4().hex}"


def ordered_id(prefix: str) -> str:
    """An opaque id that sorts by creation time (milliseconds, then 16 hex digits)."""
    request = _request.get()
    at = request.started_at if request else utcnow()
    tail = request.next(prefix, 16) if request else uuid.uuid4().hex[:16]
    return f"{prefix}_{int(at.timestamp() * 1000):012x}{tail}"


def utcnow() -> datetime:
    return datetime.now(UTC)
