"""The town grid as one aggregate in the commit log; read often, so its state is cached by version."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.repository import Repository
from registry.adapters.mappers import StateMapper
from registry.domain.grid import (
    ChecklistItemTemplate,
    ChecklistTemplate,
    Community,
    Compound,
    Grid,
    NeighbourGroup,
)

GRID_STORE = "grids"
FRESH_S = 1.0  # another process's grid change is seen within this long


def to_state(grid: Grid) -> dict[str, Any]:
    return {
        "town_id": grid.town_id,
        "communities": [{"community_id": c.community_id, "name": c.name} for c in grid.communities.values()],
        "compounds": [{"compound_id": c.compound_id, "community_id": c.community_id, "name": c.name}
                      for c in grid.compounds.values()],
        "groups": [{"group_id": g.group_id, "compound_id": g.compound_id, "name": g.name} for g in grid.groups.values()],
        "requires_known_compound": grid.requires_known_compound,
        "checklist": {
            "items": [{"code": i.code, "title": i.title, "due_after_s": i.due_after.total_seconds()}
                      for i in grid.checklist.items],
            "escalation_period_s": grid.checklist.escalation_period.total_seconds(),
        },
    }


def from_state(doc: dict[str, Any], version: int) -> Grid:
    checklist = doc.get("checklist")
    return Grid(
        town_id=doc["town_id"],
        version=version,
        communities={c["community_id"]: Community(**c) for c in doc.get("communities", [])},
        compounds={c["compound_id"]: Compound(**c) for c in doc.get("compounds", [])},
        groups={g["group_id"]: NeighbourGroup(**g) for g in doc.get("groups", [])},
        requires_known_compound=doc.get("requires_known_compound", False),
        checklist=ChecklistTemplate(
            items=[ChecklistItemTemplate(i["code"], i["title"], timedelta(seconds=i["due_after_s"]))
                   for i in checklist["items"]],
            escalation_period=timedelta(seconds=checklist["escalation_period_s"]),
        ) if checklist else ChecklistTemplate(),
    )


class GridRepository(Repository[Grid]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, GRID_STORE, StateMapper(lambda g: g.town_id, to_state, from_state))
        self._cache: dict[str, tuple[int, dict[str, Any]]] = {}
        self._checked_at: dict[str, float] = {}

    async def get(self, aggregate_id: str) -> Grid:
        """The town's grid from its commit log (an empty one before the first change): what a
        change of the grid starts from."""
        found = await self.store.load(aggregate_id)
        if found is None:
            return Grid(aggregate_id)
        self._cache[aggregate_id] = (found[1], found[0])
        return from_state(found[0], found[1])

    async def current(self, town_id: str) -> Grid:
        """The town's grid for reading (an empty one before the first change).

        Reads ask the current-state document (by ``_id``) for the version and keep the state in
        memory per version: the grid is read by every registration, and a grid commit holds the
        whole town (measured: reading the latest commit by version made a registration 60 → 380 ms;
        asking the current document's version each time, 120 ms). The version is asked at most once
        per ``FRESH_S``, so another process's change (an api replica's) shows within that time.
        Changes of the grid start from ``get`` (the commit log).
        """
        cached = self._cache.get(town_id)
        if cached is not None and time.monotonic() - self._checked_at.get(town_id, 0) < FRESH_S:
            return from_state(cached[1], cached[0])
        current = await self.store.current.find_one({"_id": town_id}, {"version": 1})
        self._checked_at[town_id] = time.monotonic()
        if current is None:
            return Grid(town_id)
        if cached is None or cached[0] < current["version"]:
            found = await self.store.current.find_one({"_id": town_id})
            cached = (found["version"], found["state"])
            self._cache[town_id] = cached
        return from_state(cached[1], cached[0])

    async def save(self, grid: Grid) -> bool:
        saved = await super().save(grid)
        if saved:  # this process reads its own change at once
            self._cache[grid.town_id] = (grid.version, to_state(grid))
        return saved
