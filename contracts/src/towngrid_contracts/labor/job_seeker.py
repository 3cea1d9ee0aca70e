"""Events about one job seeker: registration and matches to labour demand.

Keyed by ``job_seeker_id`` on ``labor.job_seeker.v1``; ``resident_id`` links the seeker to the
registry's resident file (no name, phone or ID number travels).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

JOB_SEEKER_TOPIC = topic_name("labor", "job_seeker")

Placement = Literal["local", "batch"]


class _JobSeekerEvent(EventData):
    topic: ClassVar[str] = JOB_SEEKER_TOPIC
    producer: ClassVar[str] = "labor"

    job_seeker_id: str = Field(min_length=1, description="Opaque job seeker id (the aggregate id).")


class JobSeekerRegistered(_JobSeekerEvent):
    event_type: ClassVar[str] = "labor.job_seeker.registered"

    resident_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    job_categories: list[str] = Field(default_factory=list, description="Category codes.")
    preferred_provinces: list[str] = Field(
        default_factory=list, description="ISO 3166-2:CN codes; empty means anywhere."
    )
    registered_at: AwareDatetime


class WorkerMatched(_JobSeekerEvent):
    """The seeker was matched to a demand: placed locally, or to travel with a batch."""

    event_type: ClassVar[str] = "labor.worker.matched"

    match_id: str = Field(min_length=1)
    resident_id: str = Field(min_length=1)
    demand_id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)
    placement: Placement
    matched_at: AwareDatetime


class WorkerPlacedLocally(_JobSeekerEvent):
    """A seeker matched to a local demand started work there."""

    event_type: ClassVar[str] = "labor.worker.placed_locally"

    match_id: str = Field(min_length=1)
    resident_id: str = Field(min_length=1)
    demand_id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)
    placed_at: AwareDatetime
