"""Events of a centralized isolation point (集中隔离点): zones, rooms, admissions, discharges, cleaning.

Keyed by ``site_id`` on ``registry.isolation.v1``: one site's events stay in order, so a room's
admissions, discharges and cleanings are seen in the order they happened.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

ISOLATION_TOPIC = topic_name("registry", "isolation")


class _IsolationEvent(EventData):
    topic: ClassVar[str] = ISOLATION_TOPIC
    producer: ClassVar[str] = "registry"

    site_id: str = Field(min_length=1, description="Opaque isolation site id (the aggregate id).")


class IsolationRoomAdded(_IsolationEvent):
    event_type: ClassVar[str] = "registry.isolation.room_added"

    zone_id: str = Field(min_length=1)
    room_id: str = Field(min_length=1)
    capacity: int = Field(ge=1)
    added_at: AwareDatetime


class IsolationAdmitted(_IsolationEvent):
    """A person was admitted to the isolation point and given a room."""

    event_type: ClassVar[str] = "registry.isolation.admitted"

    admission_id: str = Field(min_length=1)
    resident_id: str = Field(min_length=1)
    quarantine_id: str = Field(min_length=1)
    zone_id: str = Field(min_length=1)
    room_id: str = Field(min_length=1)
    admitted_at: AwareDatetime


class IsolationDischarged(_IsolationEvent):
    """A person left the isolation point; the room now needs cleaning before the next person."""

    event_type: ClassVar[str] = "registry.isolation.discharged"

    admission_id: str = Field(min_length=1)
    resident_id: str = Field(min_length=1)
    room_id: str = Field(min_length=1)
    discharged_at: AwareDatetime


class IsolationRoomCleaned(_IsolationEvent):
    event_type: ClassVar[str] = "registry.isolation.room_cleaned"

    room_id: str = Field(min_length=1)
    cleaned_by: str = Field(min_length=1, description="Opaque staff id.")
    cleaned_at: AwareDatetime
