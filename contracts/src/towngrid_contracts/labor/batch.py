"""Events about one organised batch of workers sent to another province.

Keyed by ``batch_id`` on ``labor.batch.v1``. When a batch departs, the registry marks its
workers as having left town.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

BATCH_TOPIC = topic_name("labor", "batch")


IneligibilityReason = Literal["in_quarantine", "no_valid_health_certificate"]


class _BatchEvent(EventData):
    topic: ClassVar[str] = BATCH_TOPIC
    producer: ClassVar[str] = "labor"

    batch_id: str = Field(min_length=1, description="Opaque batch id (the aggregate id).")


class BatchScheduled(_BatchEvent):
    """A batch was planned for a demand in another province, with a vehicle and its seats."""

    event_type: ClassVar[str] = "labor.batch.scheduled"

    demand_id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)
    destination_province: str = Field(pattern=r"^CN-[A-Z]{2}$")
    destination_city_code: str = Field(pattern=r"^\d{6}$")
    departure_at: AwareDatetime
    vehicle_pass_id: str = Field(min_length=1, description="permit_id of the vehicle pass.")
    seats: int = Field(ge=1)


class BatchWorkerAdded(_BatchEvent):
    event_type: ClassVar[str] = "labor.batch.worker_added"

    resident_id: str = Field(min_length=1)
    job_seeker_id: str = Field(min_length=1)
    match_id: str = Field(min_length=1)
    added_at: AwareDatetime


class BatchWorkerFlagged(_BatchEvent):
    """The eligibility of a worker in the batch changed (``eligible`` is the new state)."""

    event_type: ClassVar[str] = "labor.batch.worker_flagged"

    resident_id: str = Field(min_length=1)
    eligible: bool
    reasons: list[IneligibilityReason] = Field(default_factory=list)
    flagged_at: AwareDatetime


class BatchBoardingChecked(_BatchEvent):
    """A worker was re-checked at the door: boarded, or left off with the reasons."""

    event_type: ClassVar[str] = "labor.batch.boarding_checked"

    resident_id: str = Field(min_length=1)
    boarded: bool
    reasons: list[IneligibilityReason] = Field(default_factory=list)
    checked_at: AwareDatetime


class BatchDispatched(_BatchEvent):
    """The batch left town; every listed worker holds a valid health certificate."""

    event_type: ClassVar[str] = "labor.batch.dispatched"

    destination_province: str = Field(
        pattern=r"^CN-[A-Z]{2}$", description="ISO 3166-2:CN code, e.g. CN-GD."
    )
    enterprise_ids: list[str] = Field(min_length=1)
    worker_resident_ids: list[str] = Field(min_length=1)
    escort_staff_id: str | None = Field(default=None, min_length=1)
    departed_at: AwareDatetime


class BatchArrived(_BatchEvent):
    event_type: ClassVar[str] = "labor.batch.arrived"

    destination_province: str = Field(pattern=r"^CN-[A-Z]{2}$")
    arrived_worker_count: int = Field(ge=0)
    arrived_at: AwareDatetime
