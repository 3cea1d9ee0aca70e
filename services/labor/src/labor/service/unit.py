"""Load, change, save one aggregate: waits its turn in-process, retried on a concurrent change."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict
from towngrid_kit.errors import NotFound
from labor.adapters.repository import Repository

A = TypeVar("A")


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Changer(Generic[A]):
    def __init__(self, repo: Repository[A], what: str) -> None:
        self.repo = repo
        self.what = what
        self._locks = KeyedLocks()

    async def get(self, aggregate_id: str) -> A:
        found = await self.repo.get(aggregate_id)
        if found is None:
            raise NotFound(f"no {self.what} {aggregate_id}")
        return found

    async def change(self, aggregate_id: str, change: Callable[[A], Any] | Callable[[A], Awaitable[Any]]) -> A:
        """Apply ``change`` to the latest state and store it (nothing stored if it recorded no event)."""

        async def attempt() -> A:
            aggregate = await self.get(aggregate_id)
            result = change(aggregate)
            if hasattr(result, "__await__"):
                await result
            await self.repo.save(aggregate)
            return aggregate

        async with self._locks.hold(aggregate_id):
            return await retry_on_conflict(attempt)

    async def create(self, aggregate: A, aggregate_id: str) -> A:
        async with self._locks.hold(aggregate_id):
            await self.repo.save(aggregate)
        return aggregate
