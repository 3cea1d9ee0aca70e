"""Events about the people on duty at the checkpoints (volunteers and staff) and their shifts.

Keyed by ``duty_person_id`` on ``registry.duty.v1``: one person's shifts stay in order. A person
is an opaque id here; their name and phone stay in the registry.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.registry.resident import Resealed
from towngrid_contracts.topics import topic_name

DUTY_TOPIC = topic_name("registry", "duty")

DutyKind = Literal["party_member", "county_staff", "community_staff", "volunteer"]
UnitLevel = Literal["town", "community", "compound"]


class _DutyEvent(EventData, topic=DUTY_TOPIC):
    duty_person_id: Id = Field(description="Opaque id of the person on duty (the aggregate id).")


class DutyPersonRegistered(_DutyEvent, event_type="registry.duty.person_registered"):
    kind: DutyKind
    unit_level: UnitLevel
    unit_id: Id = Field(description="The grid unit the person belongs to.")
    registered_at: AwareDatetime


class DutyShiftScheduled(_DutyEvent, event_type="registry.duty.shift_scheduled"):
    shift_id: Id
    checkpoint_id: Id
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class DutyPersonDataReencrypted(Resealed, _DutyEvent, event_type="registry.duty.person_data_reencrypted"):
    """The person's sealed contact data was sealed again under the registry's current key (rotation)."""

