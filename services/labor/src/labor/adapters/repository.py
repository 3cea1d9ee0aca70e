"""Labor aggregates in MongoDB as insert-only commit logs (``towngrid_kit.commits``).

One generic repository: an aggregate is a dataclass whose state is stored as JSON-like data
(dates and times as ISO strings, via pydantic), plus top-level ``index_fields`` for list
queries and figures. ``pending`` (its new events) and ``version`` are not part of the state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore

A = TypeVar("A")
NOT_STATE = {"pending", "version"}


class Repository(Generic[A]):
    def __init__(self, db: AsyncDatabase, name: str, cls: type[A], id_of: Callable[[A], str],
                 index: Callable[[A], dict[str, Any]], indexed: tuple[str, ...] = ()) -> None:
        self.store = AggregateStore(db, name)
        self._adapter: TypeAdapter[A] = TypeAdapter(cls)
        self._id_of = id_of
        self._index = index
        self._indexed = indexed

    async def ensure_indexes(self) -> None:
        await self.store.ensure_indexes(*([(name, ASCENDING), ("_id", ASCENDING)] for name in self._indexed))

    def _load(self, state: dict[str, Any], version: int) -> A:
        found = self._adapter.validate_python(state)
        found.version = version  # type: ignore[attr-defined]
        return found

    async def get(self, aggregate_id: str) -> A | None:
        found = await self.store.load(aggregate_id)
        return self._load(*found) if found else None

    async def save(self, aggregate: A) -> bool:
        """Store the new state and its pending events; False (nothing stored) when there are none."""
        events, aggregate.pending = aggregate.pending, []  # type: ignore[attr-defined]
        if not events:
            return False
        state = self._adapter.dump_python(aggregate, mode="json", exclude=NOT_STATE)
        aggregate.version = await self.store.commit(  # type: ignore[attr-defined]
            self._id_of(aggregate), aggregate.version, state, events,  # type: ignore[attr-defined]
            index_fields=self._index(aggregate))
        return True

    async def find(self, query: dict[str, Any], *, after: str | None = None, limit: int = 50) -> list[A]:
        query = dict(query)
        if after:
            query["_id"] = {"$gt": after}
        return [self._load(doc["state"], doc["version"]) for doc in await self.store.current_docs(query, limit=limit)]

    async def fields(self, query: dict[str, Any], projection: dict[str, int]) -> list[dict[str, Any]]:
        """Index fields of the current states matching ``query`` (for figures: no state decoded)."""
        return await self.store.fields.find(query, projection).to_list()

    async def count(self, query: dict[str, Any]) -> int:
        return await self.store.fields.count_documents(query)
