"""A town's grid: communities, compounds (each with one checkpoint) and neighbour groups.

One aggregate per town: the grid changes rarely and must change as a whole (an import of
153 compounds is all or nothing), so it is stored as one document and its events stay in
order on one partition. Plain Python, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import (
    CommunityRegistered,
    CompoundRegistered,
    GridSettingsChanged,
    GridUnitRenamed,
    NeighbourGroupRegistered,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound

UNIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
UNIT_ID_RULE = "must be 1-40 letters, digits, '-' or '_', starting with a letter or digit"


def checkpoint_of(compound_id: str) -> str:
    return f"CP-{compound_id}"


@dataclass
class ChecklistItemTemplate:
    code: str
    title: str
    due_after: timedelta


# The report's "eight ones" (八个一), as a town office would phrase them.
DEFAULT_CHECKLIST: tuple[ChecklistItemTemplate, ...] = tuple(
    ChecklistItemTemplate(code, title, timedelta(hours=hours))
    for code, title, hours in (
        ("registration_verified", "Registration verified door to door", 24),
        ("health_code_checked", "Health code checked", 24),
        ("temperature_taken", "Temperature taken", 24),
        ("notice_delivered", "Notice of home observation delivered", 24),
        ("contact_card_left", "Contact card of the grid officer left", 48),
        ("household_informed", "Household members informed", 48),
        ("daily_report_arranged", "Daily health report arranged", 48),
        ("psychological_support", "Psychological support offered", 72),
    )
)
DEFAULT_ESCALATION_PERIOD = timedelta(hours=24)


@dataclass
class ChecklistTemplate:
    items: list[ChecklistItemTemplate] = field(default_factory=lambda: list(DEFAULT_CHECKLIST))
    escalation_period: timedelta = DEFAULT_ESCALATION_PERIOD


@dataclass
class Community:
    community_id: str
    name: str


@dataclass
class Compound:
    compound_id: str
    community_id: str
    name: str

    @property
    def checkpoint_id(self) -> str:
        return checkpoint_of(self.compound_id)


@dataclass
class NeighbourGroup:
    group_id: str
    compound_id: str
    name: str


@dataclass(frozen=True)
class GridRow:
    """One row of a grid import: a compound of a community, optionally one of its groups."""

    community_id: str
    community_name: str
    compound_id: str
    compound_name: str
    group_id: str | None = None
    group_name: str | None = None
    line: int = 0  # the row's number in the file (the header is row 1)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class Grid:
    town_id: str
    version: int = 0
    communities: dict[str, Community] = field(default_factory=dict)
    compounds: dict[str, Compound] = field(default_factory=dict)
    groups: dict[str, NeighbourGroup] = field(default_factory=dict)
    requires_known_compound: bool = False
    checklist: ChecklistTemplate = field(default_factory=ChecklistTemplate)
    pending: list[EventData] = field(default_factory=list)

    # --- reads ---------------------------------------------------------------------------
    def compound(self, compound_id: str) -> Compound:
        if compound_id not in self.compounds:
            raise NotFound(f"no compound {compound_id} in the grid of {self.town_id}")
        return self.compounds[compound_id]

    def placement_problem(self, compound_id: str, group_id: str | None) -> tuple[str, str] | None:
        """(field, message) when a resident may not be placed there; None when fine."""
        if compound_id not in self.compounds:
            if self.requires_known_compound:
                return "body.compound_id", f"compound {compound_id} is not in the grid of {self.town_id}"
            if group_id is not None and group_id in self.groups:
                return "body.neighbour_group_id", f"group {group_id} belongs to another compound"
            return None
        if group_id is not None:
            group = self.groups.get(group_id)
            if group is None:
                return "body.neighbour_group_id", f"neighbour group {group_id} is not in the grid"
            if group.compound_id != compound_id:
                return "body.neighbour_group_id", f"group {group_id} belongs to compound {group.compound_id}"
        return None

    def chain(self, compound_id: str, group_id: str | None) -> list[tuple[str, str]]:
        """The escalation chain (level, unit id): group → compound → community → town."""
        levels: list[tuple[str, str]] = []
        if group_id:
            levels.append(("neighbour_group", group_id))
        levels.append(("compound", compound_id))
        community = self.compounds[compound_id].community_id if compound_id in self.compounds else None
        if community:
            levels.append(("community", community))
        levels.append(("town", self.town_id))
        return levels

    # --- changes -------------------------------------------------------------------------
    def register_community(self, community_id: str, name: str, at: datetime) -> Community:
        _check_new("community", community_id, "body.community_id", self.communities)
        community = Community(community_id, name)
        self.communities[community_id] = community
        self.pending.append(CommunityRegistered(town_id=self.town_id, community_id=community_id, registered_at=at))
        return community

    def register_compound(self, compound_id: str, community_id: str, name: str, at: datetime) -> Compound:
        _check_new("compound", compound_id, "body.compound_id", self.compounds,
                   under=("community", community_id, "body.community_id", self.communities))
        compound = Compound(compound_id, community_id, name)
        self.compounds[compound_id] = compound
        self.pending.append(CompoundRegistered(
            town_id=self.town_id, compound_id=compound_id, community_id=community_id,
            checkpoint_id=compound.checkpoint_id, registered_at=at,
        ))
        return compound

    def register_group(self, group_id: str, compound_id: str, name: str, at: datetime) -> NeighbourGroup:
        _check_new("neighbour group", group_id, "body.group_id", self.groups,
                   under=("compound", compound_id, "body.compound_id", self.compounds))
        group = NeighbourGroup(group_id, compound_id, name)
        self.groups[group_id] = group
        self.pending.append(NeighbourGroupRegistered(
            town_id=self.town_id, group_id=group_id, compound_id=compound_id,
            community_id=self.compounds[compound_id].community_id, registered_at=at,
        ))
        return group

    def rename(self, level: str, unit_id: str, name: str, at: datetime) -> None:
        units: dict = {"community": self.communities, "compound": self.compounds, "neighbour_group": self.groups}[level]
        if unit_id not in units:
            raise NotFound(f"no {level.replace('_', ' ')} {unit_id}")
        if units[unit_id].name == name:
            return
        units[unit_id].name = name
        self.pending.append(GridUnitRenamed(town_id=self.town_id, level=level, unit_id=unit_id, renamed_at=at))

    def change_settings(self, requires_known_compound: bool | None, checklist: ChecklistTemplate | None,
                        at: datetime) -> None:
        if requires_known_compound is not None:
            if requires_known_compound and not self.compounds:
                raise Conflict("the grid has no compounds yet; import or register them before requiring them")
            self.requires_known_compound = requires_known_compound
        if checklist is not None:
            codes = [i.code for i in checklist.items]
            if not codes:
                raise InvalidInput("the checklist needs at least one item", field="body.checklist.items")
            if len(set(codes)) != len(codes):
                raise InvalidInput("checklist item codes must be unique", field="body.checklist.items")
            self.checklist = checklist
        self.pending.append(GridSettingsChanged(
            town_id=self.town_id, registration_requires_known_compound=self.requires_known_compound,
            checklist_item_codes=[i.code for i in self.checklist.items], changed_at=at,
        ))

    def import_rows(self, rows: list[GridRow], at: datetime) -> list[RowError]:
        """Add every unit the rows name; all or nothing.

        Units already registered with the same parent are left as they are (an import can be
        repeated); a name that differs renames the unit. Returns the errors of every row; when
        there is any, the grid is unchanged and nothing is pending.
        """
        errors = self.check_rows(rows)
        if errors:
            return errors
        for row in rows:
            self._import_unit("community", row.community_id, row.community_name, at,
                              lambda r=row: self.register_community(r.community_id, r.community_name, at))
            self._import_unit("compound", row.compound_id, row.compound_name, at,
                              lambda r=row: self.register_compound(r.compound_id, r.community_id, r.compound_name, at))
            if row.group_id:
                self._import_unit("neighbour_group", row.group_id, row.group_name or row.group_id, at,
                                  lambda r=row: self.register_group(r.group_id, r.compound_id, r.group_name or r.group_id, at))
        return []

    def _import_unit(self, level: str, unit_id: str, name: str, at: datetime, register) -> None:  # noqa: ANN001
        units: dict = {"community": self.communities, "compound": self.compounds, "neighbour_group": self.groups}[level]
        if unit_id in units:
            self.rename(level, unit_id, name, at)
        else:
            register()

    def check_rows(self, rows: list[GridRow]) -> list[RowError]:
        """Every row's problems: bad ids, a unit placed under two parents, two names for one unit."""
        errors: list[RowError] = []
        community_names: dict[str, tuple[str, int]] = {}
        compound_parent: dict[str, tuple[str, str, int]] = {}
        group_parent: dict[str, tuple[str, int]] = {}
        if not rows:
            errors.append(RowError(0, "file", "the file has no rows"))
        for row in rows:
            n = row.line
            for name, value in (("community_id", row.community_id), ("compound_id", row.compound_id),
                                ("group_id", row.group_id)):
                if value is not None and not UNIT_ID.match(value):
                    errors.append(RowError(n, name, f"{value!r} {UNIT_ID_RULE}"))
            if row.group_id and not row.group_name:
                errors.append(RowError(n, "group_name", "is required when group_id is given"))
            if row.group_name and not row.group_id:
                errors.append(RowError(n, "group_id", "is required when group_name is given"))
            seen = community_names.setdefault(row.community_id, (row.community_name, n))
            if seen[0] != row.community_name:
                errors.append(RowError(n, "community_name", f"differs from row {seen[1]} for community {row.community_id}"))
            seen_c = compound_parent.setdefault(row.compound_id, (row.community_id, row.compound_name, n))
            if seen_c[0] != row.community_id:
                errors.append(RowError(n, "community_id", f"compound {row.compound_id} is in community {seen_c[0]} on row {seen_c[2]}"))
            elif seen_c[1] != row.compound_name:
                errors.append(RowError(n, "compound_name", f"differs from row {seen_c[2]} for compound {row.compound_id}"))
            existing = self.compounds.get(row.compound_id)
            if existing is not None and existing.community_id != row.community_id:
                errors.append(RowError(n, "community_id",
                                       f"compound {row.compound_id} is already registered in community {existing.community_id}"))
            if row.group_id:
                if row.group_id in group_parent and group_parent[row.group_id][0] != row.compound_id:
                    errors.append(RowError(n, "group_id", f"group {row.group_id} is in compound "
                                                          f"{group_parent[row.group_id][0]} on row {group_parent[row.group_id][1]}"))
                elif row.group_id in group_parent:
                    errors.append(RowError(n, "group_id", f"group {row.group_id} is repeated (row {group_parent[row.group_id][1]})"))
                group_parent.setdefault(row.group_id, (row.compound_id, n))
                old = self.groups.get(row.group_id)
                if old is not None and old.compound_id != row.compound_id:
                    errors.append(RowError(n, "group_id", f"group {row.group_id} is already registered in compound {old.compound_id}"))
        return errors


def _check_new(kind: str, unit_id: str, field_name: str, units: Mapping[str, object],
               under: tuple[str, str, str, Mapping[str, object]] | None = None) -> None:
    """A unit may join the grid: a well-formed id, under a registered parent (``under``: its kind,
    id, field and the units of its kind), and not registered yet."""
    if not UNIT_ID.match(unit_id):
        raise InvalidInput(f"{field_name} {UNIT_ID_RULE}", field=field_name)
    if under is not None:
        parent_kind, parent_id, parent_field, parents = under
        if parent_id not in parents:
            raise InvalidInput(f"{parent_kind} {parent_id} is not registered", field=parent_field)
    if unit_id in units:
        raise Conflict(f"{kind} {unit_id} is already registered")
