"""Running a load-change-save use case safely when others change the same aggregate.

Within one process, changes to one aggregate wait their turn (``KeyedLocks``), so they do
not collide at all; across processes, a collision is detected by the commit's unique id
and the whole use case is retried with a growing, jittered pause.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import AsyncIterator, TypeVar

from towngrid_kit.errors import ConcurrentModification

T = TypeVar("T")


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key], self._locks[key]


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]], *, attempts: int = 12, pause_s: float = 0.01) -> T:
    """Run ``attempt`` again (after a short random pause) while it raises ConcurrentModification."""
    for n in range(attempts):
        try:
            return await attempt()
        except ConcurrentModification:
            if n == attempts - 1:
                raise
            await asyncio.sleep(random.uniform(0, pause_s * (2 ** min(n, 6))))
    raise AssertionError("unreachable")
