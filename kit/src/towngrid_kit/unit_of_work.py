"""One way to change an aggregate: load it, call a domain method, store the new state with its
events (and the request's idempotency key, see ``commits.current_request``), retry on a
version conflict.

Within one process, changes of one aggregate wait their turn (``KeyedLocks``), so they do not
collide at all; across processes (replicas) a collision is caught by the commit's unique id and
the whole change — load, domain method, save — runs again on the newer state.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import ConcurrentModification, NotFound
from towngrid_kit.repository import Repository

A = TypeVar("A")
T = TypeVar("T")


class UnitOfWork(Generic[A]):
    def __init__(self, repo: Repository[A], what: str, *, attempts: int = 12) -> None:
        """``what``: the aggregate's name in a "not found" answer (e.g. "batch"); ``attempts``: how
        often a change is tried across processes (more for a key every replica changes at once)."""
        self.repo = repo
        self.what = what
        self.attempts = attempts
        self._locks = KeyedLocks()

    async def get(self, aggregate_id: str) -> A:
        found = await self.repo.get(aggregate_id)
        if found is None:
            raise NotFound(f"no {self.what} {aggregate_id}")
        return found

    async def change(self, aggregate_id: str, change: Callable[[A], Any] | Callable[[A], Awaitable[Any]]) -> A:
        """Apply ``change`` (sync or async) to the latest state and store what it recorded
        (nothing is stored when it recorded no event). Raises NotFound, or what the domain raises."""

        async def attempt() -> A:
            aggregate = await self.get(aggregate_id)
            outcome = change(aggregate)
            if inspect.isawaitable(outcome):
                await outcome
            await self.repo.save(aggregate)
            return aggregate

        async with self._locks.hold(aggregate_id):
            return await retry_on_conflict(attempt, attempts=self.attempts)

    async def outcome(self, aggregate_id: str, change: Callable[[A], T] | Callable[[A], Awaitable[T]]) -> T:
        """:meth:`change`, answering what the domain method returned (on its last attempt)."""
        outcome: list[Any] = []

        async def run(aggregate: A) -> None:
            result = change(aggregate)
            outcome[:] = [await result if inspect.isawaitable(result) else result]

        await self.change(aggregate_id, run)
        return outcome[0]

    async def change_or_create(self, aggregate_id: str, change: Callable[[A], T], new: Callable[[], A]) -> T:
        """``change`` applied to the aggregate, or to ``new()`` (stored as its first commit) when
        there is none yet; a creation that loses the race to another changes the one stored."""
        if await self.repo.get(aggregate_id) is None:
            aggregate = new()
            outcome = change(aggregate)
            try:
                await self.add(aggregate)
                return outcome
            except ConcurrentModification:
                pass  # created at the same moment elsewhere: apply the change to that one
        return await self.outcome(aggregate_id, change)

    async def add(self, aggregate: A) -> A:
        """Store a new aggregate (its first events); ConcurrentModification if its id is taken."""
        await self.repo.save(aggregate)
        return aggregate
