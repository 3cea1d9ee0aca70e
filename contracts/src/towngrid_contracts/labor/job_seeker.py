"""Events about one job seeker: registration and matches to labour demand.

Keyed by ``job_seeker_id`` on ``labor.job_seeker.v1``; ``resident_id`` links the seeker to the
registry's resident file (no name, phone or ID number travels).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.topics import topic_name

JOB_SEEKER_TOPIC = topic_name("labor", "job_seeker")

Placement = Literal["local", "batch"]


class _JobSeekerEvent(EventData, topic=JOB_SEEKER_TOPIC):
    job_seeker_id: Id = Field(description="Opaque job seeker id (the aggregate id).")


class JobSeekerRegistered(_JobSeekerEvent, event_type="labor.job_seeker.registered"):
    resident_id: Id
    compound_id: Id
    job_categories: list[str] = Field(default_factory=list, description="Category codes.")
    preferred_provinces: list[str] = Field(
        default_factory=list, description="ISO 3166-2:CN codes; empty means anywhere."
    )
    registered_at: AwareDatetime


class _MatchEvent(_JobSeekerEvent):
    """An event about one match of the seeker to a demand."""

    match_id: Id
    resident_id: Id
    demand_id: Id
    enterprise_id: Id


class WorkerMatched(_MatchEvent, event_type="labor.worker.matched"):
    """The seeker was matched to a demand: placed locally, or to travel with a batch."""

    placement: Placement
    matched_at: AwareDatetime


class WorkerPlacedLocally(_MatchEvent, event_type="labor.worker.placed_locally"):
    """A seeker matched to a local demand started work there."""

    placed_at: AwareDatetime
