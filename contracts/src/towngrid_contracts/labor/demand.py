"""Events about one labour demand: an employer's request for workers, here or elsewhere.

Keyed by ``demand_id`` on ``labor.demand.v1``.
"""

from __future__ import annotations

from typing import ClassVar

from datetime import date

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
    city_code: str | None = Field(default=None, pattern=r"^\d{6}$", description="GB/T 2260 code.")
    skills: list[str] = Field(default_factory=list, description="Skill codes wanted.")
    wage_min_cents: int | None = Field(default=None, ge=0, description="Monthly wage, lower bound.")
    wage_max_cents: int | None = Field(default=None, ge=0, description="Monthly wage, upper bound.")
    start_date: date | None = None


class DemandPositionFilled(_DemandEvent):
    """An officer confirmed a match: one more of the ``headcount`` positions is filled."""

    event_type: ClassVar[str] = "labor.demand.position_filled"

    match_id: str = Field(min_length=1)
    job_seeker_id: str = Field(min_length=1)
    filled: int = Field(ge=1)
    headcount: int = Field(ge=1)
    filled_at: AwareDatetime
