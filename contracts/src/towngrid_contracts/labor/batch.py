"""Events about one organised batch of workers sent to another province.

Keyed by ``batch_id`` on ``labor.batch.v1``. When a batch departs, the registry marks its
workers as having left town.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

BATCH_TOPIC = topic_name("labor", "batch")


class _BatchEvent(EventData):
    topic: ClassVar[str] = BATCH_TOPIC
    producer: ClassVar[str] = "labor"

    batch_id: str = Field(min_length=1, description="Opaque batch id (the aggregate id).")


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
