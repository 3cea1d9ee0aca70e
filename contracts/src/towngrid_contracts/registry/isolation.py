"""Events of a centralized isolation point (集中隔离点): zones, rooms, admissions, discharges, cleaning.

Keyed by ``site_id`` on ``registry.isolation.v1``: one site's events stay in order, so a room's
admissions, discharges and cleanings are seen in the order they happened.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

ISOLATION_TOPIC = topic_name("registry", "isolation")


class _IsolationEvent(EventData, topic=ISOLATION_TOPIC):
    site_id: Id = Field(description="Opaque isolation site id (the aggregate id).")


class IsolationRoomAdded(_IsolationEvent, event_type="registry.isolation.room_added"):
    zone_id: Id
    room_id: Id
    capacity: int = Field(ge=1)
    added_at: AwareDatetime


class _AdmissionEvent(_IsolationEvent):
    """An event about one person's stay at the isolation point."""

    admission_id: Id
    resident_id: Id


class IsolationAdmitted(_AdmissionEvent, event_type="registry.isolation.admitted"):
    """A person was admitted to the isolation point and given a room."""

    quarantine_id: Id
    zone_id: Id
    room_id: Id
    admitted_at: AwareDatetime


class IsolationDischarged(_AdmissionEvent, event_type="registry.isolation.discharged"):
    """A person left the isolation point; the room now needs cleaning before the next person."""

    room_id: Id
    discharged_at: AwareDatetime


class IsolationRoomCleaned(_IsolationEvent, event_type="registry.isolation.room_cleaned"):
    room_id: Id
    cleaned_by: StaffId
    cleaned_at: AwareDatetime
