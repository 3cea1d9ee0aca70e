"""Use cases of the town grid: load it, call the domain, save (state and events at once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.grid_csv import parse_grid_csv
from registry.adapters.grid_repository import GridRepository
from registry.domain.grid import ChecklistTemplate, Grid, RowError

T = TypeVar("T")


class GridImportRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


class GridService:
    def __init__(self, repository: GridRepository, town_id: str) -> None:
        self._repo = repository
        self.town_id = town_id
        self._grids = UnitOfWork(repository, "grid")

    @property
    def repository(self) -> GridRepository:
        return self._repo

    async def get(self) -> Grid:
        return await self._repo.current(self.town_id)

    async def register_community(self, community_id: str, name: str):  # noqa: ANN201
        return await self._change(lambda g: g.register_community(community_id, name, datetime.now(UTC)))

    async def register_compound(self, compound_id: str, community_id: str, name: str):  # noqa: ANN201
        return await self._change(lambda g: g.register_compound(compound_id, community_id, name, datetime.now(UTC)))

    async def register_group(self, group_id: str, compound_id: str, name: str):  # noqa: ANN201
        return await self._change(lambda g: g.register_group(group_id, compound_id, name, datetime.now(UTC)))

    async def rename(self, level: str, unit_id: str, name: str) -> Grid:
        """The grid as the change left it (not read again)."""
        return await self._grids.change(self.town_id, lambda g: g.rename(level, unit_id, name, datetime.now(UTC)))

    async def change_settings(self, requires_known_compound: bool | None, checklist: ChecklistTemplate | None) -> Grid:
        return await self._grids.change(
            self.town_id, lambda g: g.change_settings(requires_known_compound, checklist, datetime.now(UTC)))

    async def import_csv(self, text: str) -> dict[str, int]:
        """Import a whole town from CSV: every row is checked first; any error and nothing is stored."""
        rows, errors = parse_grid_csv(text)
        if errors:
            grid = await self._repo.current(self.town_id)
            raise GridImportRefused(sorted(errors + (grid.check_rows(rows) if rows else []), key=lambda e: e.row))

        def change(grid: Grid) -> dict[str, int]:
            before = (len(grid.communities), len(grid.compounds), len(grid.groups))
            problems = grid.import_rows(rows, datetime.now(UTC))
            if problems:
                raise GridImportRefused(problems)
            return {
                "rows": len(rows),
                "communities_added": len(grid.communities) - before[0],
                "compounds_added": len(grid.compounds) - before[1],
                "groups_added": len(grid.groups) - before[2],
                "renamed": sum(1 for e in grid.pending if e.event_type == "registry.grid.unit_renamed"),
                "communities": len(grid.communities),
                "compounds": len(grid.compounds),
                "groups": len(grid.groups),
            }

        return await self._change(change)

    async def _change(self, change: Callable[[Grid], T]) -> T:
        return await self._grids.outcome(self.town_id, change)
