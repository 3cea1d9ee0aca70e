"""The town grid as one aggregate in the commit log; read often, so its state is cached by version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore
from registry.domain.grid import (
    ChecklistItemTemplate,
    ChecklistTemplate,
    Community,
    Compound,
    Grid,
    NeighbourGroup,
)

GRID_STORE = "grids"


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


class GridRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, GRID_STORE)
        self._cache: dict[str, tuple[int, dict[str, Any]]] = {}

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()

    async def get(self, town_id: str) -> Grid:
        """The town's grid (an empty one before the first change)."""
        latest = await self._store.commits.find_one(
            {"aggregate_id": town_id}, {"version": 1}, sort=[("version", DESCENDING)])
        if latest is None:
            return Grid(town_id)
        cached = self._cache.get(town_id)
        if cached is None or cached[0] != latest["version"]:
            found = await self._store.load(town_id)
            assert found is not None
            cached = (found[1], found[0])
            self._cache[town_id] = cached
        return from_state(cached[1], cached[0])

    async def save(self, grid: Grid) -> None:
        events, grid.pending = grid.pending, []
        if not events:
            return
        grid.version = await self._store.commit(grid.town_id, grid.version, to_state(grid), events)
