"""What the registry's use cases need beyond the kit's ``UnitOfWork.change`` (candidates for the
kit): the outcome of the domain method, and a change that may create its aggregate."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.unit_of_work import UnitOfWork

A = TypeVar("A")
T = TypeVar("T")


async def outcome_of(uow: UnitOfWork[A], aggregate_id: str,
                     change: Callable[[A], T] | Callable[[A], Awaitable[T]]) -> T:
    """``uow.change`` returning what ``change`` returned (on its last attempt)."""
    outcome: list[Any] = []

    async def run(aggregate: A) -> None:
        result = change(aggregate)
        outcome[:] = [await result if inspect.isawaitable(result) else result]

    await uow.change(aggregate_id, run)
    return outcome[0]


async def change_or_create(uow: UnitOfWork[A], aggregate_id: str, change: Callable[[A], T],
                           new: Callable[[], A]) -> T:
    """``change`` applied to the aggregate, or to ``new()`` (stored as its first commit) when
    there is none yet; a creation that loses the race to another changes the one stored."""
    if await uow.repo.get(aggregate_id) is None:
        aggregate = new()
        outcome = change(aggregate)
        try:
            await uow.add(aggregate)
            return outcome
        except ConcurrentModification:
            pass  # created at the same moment elsewhere: apply the change to that one
    return await outcome_of(uow, aggregate_id, change)
