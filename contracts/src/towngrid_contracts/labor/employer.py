"""Events about one employer (an enterprise) that posts labour demand, here or elsewhere.

Keyed by ``enterprise_id`` on ``labor.employer.v1``. The employer's name and contacts stay in
the labor service; only codes travel.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import CityCode, Id, Province
from towngrid_contracts.topics import topic_name

EMPLOYER_TOPIC = topic_name("labor", "employer")


class _EmployerEvent(EventData, topic=EMPLOYER_TOPIC):
    enterprise_id: Id = Field(description="Opaque enterprise id (the aggregate id).")


class EmployerRegistered(_EmployerEvent, event_type="labor.employer.registered"):
    """An employer was registered, local (in Henan, CN-HA) or in another province."""

    province: Province = Field(description="ISO 3166-2:CN code.")
    city_code: CityCode = Field(description="GB/T 2260 code of the city or county.")
    local: bool = Field(description="True when the employer is in Henan (CN-HA).")
    registered_at: AwareDatetime
