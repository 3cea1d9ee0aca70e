"""A change that may create its aggregate: the first change stores a new one; a creation that
loses the race to another request's changes the one stored instead of failing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from towngrid_kit.errors import ConcurrentModification
from towngrid_kit.unit_of_work import UnitOfWork


@dataclass
class Tally:
    tally_id: str
    count: int = 0
    version: int = 0
    pending: list[Any] = field(default_factory=list)

    def add(self, n: int) -> int:
        self.count += n
        self.pending.append(("added", n))
        return self.count


class Store:
    """Tallies in memory with the store's rule: a save based on a stale version collides."""

    def __init__(self, hidden_once: set[str] | None = None) -> None:
        self.saved: dict[str, Tally] = {}
        self._hidden_once = hidden_once or set()  # ids another request creates right after our look

    async def get(self, tally_id: str) -> Tally | None:
        if tally_id in self._hidden_once:
            self._hidden_once.discard(tally_id)
            self.saved[tally_id] = Tally(tally_id, count=10, version=1)
            return None
        found = self.saved.get(tally_id)
        return copy.deepcopy(found) if found else None

    async def save(self, tally: Tally) -> bool:
        if not tally.pending:
            return False
        stored = self.saved.get(tally.tally_id)
        if (stored.version if stored else 0) != tally.version:
            raise ConcurrentModification(f"tally {tally.tally_id} changed concurrently")
        tally.version, tally.pending = tally.version + 1, []
        self.saved[tally.tally_id] = copy.deepcopy(tally)
        return True


async def test_the_first_change_creates_the_aggregate_and_the_next_changes_it() -> None:
    store = Store()
    tallies = UnitOfWork(store, "tally")  # type: ignore[arg-type]
    assert await tallies.change_or_create("t1", lambda t: t.add(2), lambda: Tally("t1")) == 2
    assert await tallies.change_or_create("t1", lambda t: t.add(3), lambda: Tally("t1")) == 5
    assert (store.saved["t1"].count, store.saved["t1"].version) == (5, 2)


async def test_a_creation_that_loses_the_race_changes_the_stored_one() -> None:
    store = Store(hidden_once={"t1"})
    tallies = UnitOfWork(store, "tally")  # type: ignore[arg-type]
    assert await tallies.change_or_create("t1", lambda t: t.add(2), lambda: Tally("t1")) == 12
    assert (store.saved["t1"].count, store.saved["t1"].version) == (12, 2)


async def test_outcome_gives_what_the_domain_method_returned() -> None:
    store = Store()
    store.saved["t1"] = Tally("t1", count=1, version=1)
    assert await UnitOfWork(store, "tally").outcome("t1", lambda t: t.add(4)) == 5  # type: ignore[arg-type]
