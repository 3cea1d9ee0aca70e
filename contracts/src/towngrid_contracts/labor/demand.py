"""Events about one labour demand: an employer's request for workers, here or elsewhere.

Keyed by ``demand_id`` on ``labor.demand.v1``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

DEMAND_TOPIC = topic_name("labor", "demand")


class _DemandEvent(EventData):
    topic: ClassVar[str] = DEMAND_TOPIC
    producer: ClassVar[str] = "labor"

    demand_id: str = Field(min_length=1, description="Opaque demand id (the aggregate id).")


class LaborDemandPosted(_DemandEvent):
    """An employer needs ``headcount`` workers in a province (CN-HA: local, in Henan)."""

    event_type: ClassVar[str] = "labor.demand.posted"

    enterprise_id: str = Field(min_length=1)
    job_category: str = Field(min_length=1, description="Category code, e.g. assembly.")
    headcount: int = Field(ge=1)
    province: str = Field(pattern=r"^CN-[A-Z]{2}$", description="ISO 3166-2:CN code.")
    health_certificate_required: bool = True
    posted_at: AwareDatetime
