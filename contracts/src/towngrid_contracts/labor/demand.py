"""Events about one labour demand: an employer's request for workers, here or elsewhere.

Keyed by ``demand_id`` on ``labor.demand.v1``.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import CityCode, Id, Province
from towngrid_contracts.topics import topic_name

DEMAND_TOPIC = topic_name("labor", "demand")


class _DemandEvent(EventData, topic=DEMAND_TOPIC):
    demand_id: Id = Field(description="Opaque demand id (the aggregate id).")


class LaborDemandPosted(_DemandEvent, event_type="labor.demand.posted"):
    """An employer needs ``headcount`` workers in a province (CN-HA: local, in Henan)."""

    enterprise_id: Id
    job_category: Id = Field(description="Category code, e.g. assembly.")
    headcount: int = Field(ge=1)
    province: Province = Field(description="ISO 3166-2:CN code.")
    health_certificate_required: bool = True
    posted_at: AwareDatetime
    city_code: CityCode | None = Field(default=None, description="GB/T 2260 code.")
    skills: list[str] = Field(default_factory=list, description="Skill codes wanted.")
    wage_min_cents: int | None = Field(default=None, ge=0, description="Monthly wage, lower bound.")
    wage_max_cents: int | None = Field(default=None, ge=0, description="Monthly wage, upper bound.")
    start_date: date | None = None


class DemandPositionFilled(_DemandEvent, event_type="labor.demand.position_filled"):
    """An officer confirmed a match: one more of the ``headcount`` positions is filled."""

    match_id: Id
    job_seeker_id: Id
    filled: int = Field(ge=1)
    headcount: int = Field(ge=1)
    filled_at: AwareDatetime
