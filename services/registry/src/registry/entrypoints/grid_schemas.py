"""HTTP bodies of the grid: communities, compounds with their checkpoints, neighbour groups, settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from registry.entrypoints.inputs import Body
from registry.domain.grid import ChecklistItemTemplate, ChecklistTemplate, Community, Compound, Grid, NeighbourGroup

UnitId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
                              description="1-40 letters, digits, '-' or '_' (e.g. C03, C03-017, C03-017-G02).")]
UnitName = Annotated[str, Field(min_length=1, max_length=100)]


class NewCommunity(Body):
    community_id: UnitId
    name: UnitName


class NewCompound(Body):
    compound_id: UnitId
    community_id: UnitId
    name: UnitName


class NewGroup(Body):
    group_id: UnitId
    compound_id: UnitId
    name: UnitName


class Rename(Body):
    name: UnitName


class ChecklistItemBody(Body):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    title: UnitName
    due_after: timedelta = Field(description="Time after registration by which the item is due (ISO 8601, e.g. PT24H).")

    @field_validator("due_after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0) or value > timedelta(days=60):
            raise ValueError("due_after must be more than 0 and at most 60 days")
        return value


class ChecklistBody(Body):
    items: list[ChecklistItemBody] = Field(min_length=1, max_length=30)
    escalation_period: timedelta = Field(description="Each further period overdue escalates one grid level (ISO 8601).")

    @field_validator("escalation_period")
    @classmethod
    def _period(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=1) or value > timedelta(days=30):
            raise ValueError("escalation_period must be between 1 second and 30 days")
        return value

    def template(self) -> ChecklistTemplate:
        return ChecklistTemplate(items=[ChecklistItemTemplate(i.code, i.title, i.due_after) for i in self.items],
                                 escalation_period=self.escalation_period)


class GridSettingsBody(Body):
    requires_known_compound: bool | None = Field(
        default=None, description="When true, a resident can only be registered in a compound of the grid.")
    checklist: ChecklistBody | None = Field(default=None, description="The returnee checklist of this town.")


class CommunityView(BaseModel):
    community_id: str
    name: str
    compounds: int

    @classmethod
    def of(cls, c: Community, grid: Grid) -> "CommunityView":
        return cls(community_id=c.community_id, name=c.name,
                   compounds=sum(1 for x in grid.compounds.values() if x.community_id == c.community_id))


class GroupView(BaseModel):
    group_id: str
    compound_id: str
    name: str

    @classmethod
    def of(cls, g: NeighbourGroup) -> "GroupView":
        return cls(group_id=g.group_id, compound_id=g.compound_id, name=g.name)


class CompoundView(BaseModel):
    compound_id: str
    community_id: str
    name: str
    checkpoint_id: str
    groups: list[GroupView]

    @classmethod
    def of(cls, c: Compound, grid: Grid) -> "CompoundView":
        return cls(compound_id=c.compound_id, community_id=c.community_id, name=c.name, checkpoint_id=c.checkpoint_id,
                   groups=[GroupView.of(g) for g in grid.groups.values() if g.compound_id == c.compound_id])


class CheckpointView(BaseModel):
    checkpoint_id: str
    compound_id: str
    community_id: str


class ChecklistItemTemplateView(BaseModel):
    code: str
    title: str
    due_after: timedelta


class GridView(BaseModel):
    town_id: str
    version: int
    communities: int
    compounds: int
    checkpoints: int
    neighbour_groups: int
    requires_known_compound: bool
    checklist: list[ChecklistItemTemplateView]
    escalation_period: timedelta

    @classmethod
    def of(cls, g: Grid) -> "GridView":
        return cls(town_id=g.town_id, version=g.version, communities=len(g.communities), compounds=len(g.compounds),
                   checkpoints=len(g.compounds), neighbour_groups=len(g.groups),
                   requires_known_compound=g.requires_known_compound,
                   checklist=[ChecklistItemTemplateView(code=i.code, title=i.title, due_after=i.due_after)
                              for i in g.checklist.items],
                   escalation_period=g.checklist.escalation_period)


class ImportReport(BaseModel):
    rows: int
    communities_added: int
    compounds_added: int
    groups_added: int
    renamed: int
    communities: int
    compounds: int
    groups: int
