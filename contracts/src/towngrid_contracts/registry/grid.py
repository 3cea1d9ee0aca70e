"""Events about a town's grid: communities, compounds (each with its checkpoint), neighbour groups.

Keyed by ``town_id`` on ``registry.grid.v1``: the whole grid of one town is one aggregate, so
its events stay in one partition, in order (a community before its compounds, a compound
before its groups). Other services learn from here which compounds and checkpoints exist
(delivery's pickup points, permits' QR codes at every checkpoint). Names are not carried:
grid units are referred to by opaque ids only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.topics import topic_name

GRID_TOPIC = topic_name("registry", "grid")

GridLevel = Literal["community", "compound", "neighbour_group"]


class _GridEvent(EventData, topic=GRID_TOPIC):
    town_id: Id = Field(description="Opaque town id (the aggregate id).")


class CommunityRegistered(_GridEvent, event_type="registry.grid.community_registered"):
    community_id: Id
    registered_at: AwareDatetime


class CompoundRegistered(_GridEvent, event_type="registry.grid.compound_registered"):
    """A compound (小区) joined the grid, with its one checkpoint (gate, duty post, pickup point)."""

    compound_id: Id
    community_id: Id
    checkpoint_id: Id = Field(description="The compound's checkpoint, e.g. CP-C03-017.")
    registered_at: AwareDatetime


class NeighbourGroupRegistered(_GridEvent, event_type="registry.grid.neighbour_group_registered"):
    """A neighbour group (同心联结小组, one per building or courtyard) joined a compound."""

    group_id: Id
    compound_id: Id
    community_id: Id
    registered_at: AwareDatetime


class GridUnitRenamed(_GridEvent, event_type="registry.grid.unit_renamed"):
    """A unit's display name changed (the name itself stays in the registry)."""

    level: GridLevel
    unit_id: Id
    renamed_at: AwareDatetime


class GridSettingsChanged(_GridEvent, event_type="registry.grid.settings_changed"):
    """The town changed its grid settings (registration enforcement, the returnee checklist)."""

    registration_requires_known_compound: bool
    checklist_item_codes: list[str] = Field(min_length=1)
    changed_at: AwareDatetime
