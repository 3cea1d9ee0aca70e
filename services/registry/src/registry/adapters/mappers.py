"""The registry's mappers for the kit's ``Repository``: an aggregate's own state functions
(``to_state``/``from_state`` of its adapter module) and query fields, and the same with personal
data sealed at rest (``adapters/sealing.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from registry.adapters.sealing import KeyRing, needs_resealing, open_items, seal_items

A = TypeVar("A")


class StateMapper(Generic[A]):
    def __init__(self, id_of: Callable[[A], str], to_state: Callable[[A], dict[str, Any]],
                 from_state: Callable[[dict[str, Any], int], A],
                 query_fields: Callable[[A], dict[str, Any]] = lambda _: {}) -> None:
        self.id_of = id_of
        self.to_state = to_state
        self.from_state = from_state
        self.query_fields = query_fields


class SealedMapper(Generic[A]):
    """``plain``'s state with ``items`` (of the state, or of its part ``within``) sealed under the
    ring's current key, bound to ``<kind>:<the record's id>`` (the state's ``id_field``)."""

    def __init__(self, plain: StateMapper[A], ring: KeyRing, *, kind: str, items: tuple[str, ...], id_field: str,
                 within: str | None = None) -> None:
        self._plain = plain
        self._ring = ring
        self._kind = kind
        self._items = items
        self._id_field = id_field
        self._within = within
        self.id_of = plain.id_of
        self.query_fields = plain.query_fields

    def to_state(self, aggregate: A) -> dict[str, Any]:
        state = self._plain.to_state(aggregate)
        sealed = seal_items(self._ring, self._part(state), self._items, kind=self._kind,
                            record_id=self._plain.id_of(aggregate))
        return {**state, self._within: sealed} if self._within else sealed

    def from_state(self, state: dict[str, Any], version: int) -> A:
        opened = open_items(self._ring, self._part(state), kind=self._kind, record_id=state[self._id_field])
        return self._plain.from_state({**state, self._within: opened} if self._within else opened, version)

    def needs_resealing(self, state: dict[str, Any]) -> bool:
        """Whether a stored state is plaintext or sealed under an older key."""
        return needs_resealing(self._ring, self._part(state))

    def _part(self, state: dict[str, Any]) -> dict[str, Any]:
        return state[self._within] if self._within else state
