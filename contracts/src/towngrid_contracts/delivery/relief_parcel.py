"""Events about a relief parcel for a vulnerable resident.

Keyed by ``parcel_id`` on ``delivery.relief_parcel.v1``. The registry records each delivered
parcel as a care visit.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

RELIEF_PARCEL_TOPIC = topic_name("delivery", "relief_parcel")


class _ReliefParcelEvent(EventData, topic=RELIEF_PARCEL_TOPIC):
    parcel_id: Id = Field(description="Opaque parcel id (the aggregate id).")
    resident_id: Id = Field(description="The vulnerable resident.")
    household_id: Id
    compound_id: Id


class ReliefParcelIssued(_ReliefParcelEvent, event_type="delivery.relief_parcel.issued"):
    """A parcel was taken from stock for a vulnerable resident's household, for one schedule period."""

    period_start: date = Field(description="First day of the schedule period the parcel is for.")
    items: list[str] = Field(min_length=1, description="Item codes, e.g. mask, rice, flour, oil.")
    issued_at: AwareDatetime


class ReliefParcelDelivered(_ReliefParcelEvent, event_type="delivery.relief_parcel.delivered"):
    items: list[str] = Field(min_length=1, description="Item codes, e.g. mask, rice, flour, oil.")
    courier_id: StaffId
    delivered_at: AwareDatetime
