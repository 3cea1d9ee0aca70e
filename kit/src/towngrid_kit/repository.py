"""Aggregates of one kind in their store (``towngrid_kit.commits``), through a small mapper.

An aggregate is a plain domain object with ``version`` (its stored version) and ``pending``
(the events its last change recorded). A service writes one :class:`Mapper` per aggregate —
what its id is, its state as stored, and its query fields — and gets a :class:`Repository`:
``get`` the latest state, ``save`` the new state with its pending events in one commit, and
queries on the query fields (never on the states). :class:`DataclassMapper` serves any
dataclass whose state pydantic can dump and validate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from pydantic import TypeAdapter
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore

A = TypeVar("A")
NOT_STATE = frozenset({"pending", "version"})


class Mapper(Protocol[A]):
    def id_of(self, aggregate: A) -> str: ...

    def to_state(self, aggregate: A) -> dict[str, Any]: ...

    def from_state(self, state: dict[str, Any], version: int) -> A: ...

    def query_fields(self, aggregate: A) -> dict[str, Any]:
        """Top-level fields for lists, jobs and figures (never personal data: they stay here)."""
        ...


class DataclassMapper(Generic[A]):
    """A dataclass aggregate stored as JSON-like data (dates and times as ISO strings)."""

    def __init__(self, cls: type[A], id_of: Callable[[A], str],
                 query_fields: Callable[[A], dict[str, Any]] = lambda _: {}) -> None:
        self._adapter: TypeAdapter[A] = TypeAdapter(cls)
        self.id_of = id_of
        self.query_fields = query_fields

    def to_state(self, aggregate: A) -> dict[str, Any]:
        return self._adapter.dump_python(aggregate, mode="json", exclude=set(NOT_STATE))

    def from_state(self, state: dict[str, Any], version: int) -> A:
        found = self._adapter.validate_python(state)
        found.version = version  # type: ignore[attr-defined]
        return found


class Repository(Generic[A]):
    def __init__(self, db: AsyncDatabase, name: str, mapper: Mapper[A], *,
                 indexed: Iterable[str | tuple[str, ...]] = ()) -> None:
        """``indexed``: the query fields (or tuples of them) lists and jobs filter on, each
        indexed with ``_id`` after it."""
        self.store = AggregateStore(db, name)
        self.mapper = mapper
        self._indexed = tuple((names,) if isinstance(names, str) else names for names in indexed)

    async def prepare(self) -> None:
        """At start-up: the indexes, then the one-time data migrations."""
        await self.ensure_indexes()
        await self.migrate()

    async def ensure_indexes(self) -> None:
        await self.store.ensure_indexes(*([(name, ASCENDING) for name in names] + [("_id", ASCENDING)]
                                          for names in self._indexed))

    async def migrate(self) -> None:
        await self.store.migrate()

    async def get(self, aggregate_id: str) -> A | None:
        found = await self.store.load(aggregate_id)
        return self.mapper.from_state(*found) if found else None

    async def save(self, aggregate: A) -> bool:
        """Store the new state and its pending events in one commit; False (nothing stored) when
        there are none. Raises ConcurrentModification when another change of the same version
        was stored first."""
        events, aggregate.pending = aggregate.pending, []  # type: ignore[attr-defined]
        if not events:
            return False
        aggregate.version = await self.store.commit(  # type: ignore[attr-defined]
            self.mapper.id_of(aggregate), aggregate.version, self.mapper.to_state(aggregate),  # type: ignore[attr-defined]
            events, index_fields=self.mapper.query_fields(aggregate))
        return True

    async def find(self, query: dict[str, Any], *, after: str | None = None, limit: int = 50) -> list[A]:
        """A page in ``_id`` order of the aggregates whose query fields match ``query``."""
        if after:
            query = {**query, "_id": {"$gt": after}}
        return [self.mapper.from_state(doc["state"], doc["version"])
                for doc in await self.store.current_docs(query, limit=limit)]

    async def ids(self, query: dict[str, Any], *, limit: int = 0) -> list[str]:
        return await self.store.ids(query, limit=limit)

    async def fields(self, query: dict[str, Any], projection: dict[str, int]) -> list[dict[str, Any]]:
        """The query fields of the aggregates matching ``query`` (for figures: no state decoded)."""
        return await self.store.fields.find(query, projection).to_list()

    async def count(self, query: dict[str, Any]) -> int:
        return await self.store.fields.count_documents(query)

    async def count_by(self, field: str, match: dict[str, Any]) -> dict[str, int]:
        """How many aggregates matching ``match`` have each value of ``field``."""
        pipeline: list[dict[str, Any]] = [{"$match": match}, {"$group": {"_id": f"${field}", "n": {"$sum": 1}}}]
        return {str(doc["_id"]): doc["n"] async for doc in await self.store.fields.aggregate(pipeline)
                if doc["_id"] is not None}

    async def count_by_pair(self, first: str, second: str, match: dict[str, Any]) -> dict[str, dict[str, int]]:
        """How many aggregates matching ``match`` have each value of ``first``, by value of ``second``."""
        pipeline: list[dict[str, Any]] = [
            {"$match": match}, {"$group": {"_id": {"a": f"${first}", "b": f"${second}"}, "n": {"$sum": 1}}}]
        counts: dict[str, dict[str, int]] = {}
        async for doc in await self.store.fields.aggregate(pipeline):
            a, b = doc["_id"].get("a"), doc["_id"].get("b")
            if a is not None and b is not None:
                counts.setdefault(str(a), {})[str(b)] = doc["n"]
        return counts
