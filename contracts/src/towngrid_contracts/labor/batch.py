"""Events about one organised batch of workers sent to another province.

Keyed by ``batch_id`` on ``labor.batch.v1``. When a batch departs, the registry marks its
workers as having left town.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import CityCode, Id, Province
from towngrid_contracts.topics import topic_name

BATCH_TOPIC = topic_name("labor", "batch")


IneligibilityReason = Literal["in_quarantine", "no_valid_health_certificate"]


class _BatchEvent(EventData, topic=BATCH_TOPIC):
    batch_id: Id = Field(description="Opaque batch id (the aggregate id).")


class BatchScheduled(_BatchEvent, event_type="labor.batch.scheduled"):
    """A batch was planned for a demand in another province, with a vehicle and its seats."""

    demand_id: Id
    enterprise_id: Id
    destination_province: Province
    destination_city_code: CityCode
    departure_at: AwareDatetime
    vehicle_pass_id: Id = Field(description="permit_id of the vehicle pass.")
    seats: int = Field(ge=1)


class _BatchWorkerEvent(_BatchEvent):
    """An event about one worker of the batch."""

    resident_id: Id


class BatchWorkerAdded(_BatchWorkerEvent, event_type="labor.batch.worker_added"):
    job_seeker_id: Id
    match_id: Id
    added_at: AwareDatetime


class BatchWorkerFlagged(_BatchWorkerEvent, event_type="labor.batch.worker_flagged"):
    """The eligibility of a worker in the batch changed (``eligible`` is the new state)."""

    eligible: bool
    reasons: list[IneligibilityReason] = Field(default_factory=list)
    flagged_at: AwareDatetime


class BatchBoardingChecked(_BatchWorkerEvent, event_type="labor.batch.boarding_checked"):
    """A worker was re-checked at the door: boarded, or left off with the reasons."""

    boarded: bool
    reasons: list[IneligibilityReason] = Field(default_factory=list)
    checked_at: AwareDatetime


class BatchDispatched(_BatchEvent, event_type="labor.batch.dispatched"):
    """The batch left town; every listed worker holds a valid health certificate."""

    destination_province: Province = Field(description="ISO 3166-2:CN code, e.g. CN-GD.")
    enterprise_ids: list[str] = Field(min_length=1)
    worker_resident_ids: list[str] = Field(min_length=1)
    escort_staff_id: Id | None = None
    departed_at: AwareDatetime


class BatchArrived(_BatchEvent, event_type="labor.batch.arrived"):
    destination_province: Province
    arrived_worker_count: int = Field(ge=0)
    arrived_at: AwareDatetime
