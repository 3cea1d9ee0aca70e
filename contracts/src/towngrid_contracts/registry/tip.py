"""Events about a tip from a resident: an unregistered returnee or a breach, and its screening.

Keyed by ``tip_id`` on ``registry.tip.v1``. A tip carries no free text: whoever reported it
and whoever it is about appear only as opaque ids, if known.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.registry.resident import Resealed
from towngrid_contracts.topics import topic_name

TIP_TOPIC = topic_name("registry", "tip")

TipKind = Literal["unregistered_returnee", "quarantine_breach", "gathering", "other"]
TipChannel = Literal["checkpoint_qr", "hotline", "wechat", "in_person"]
ScreeningOutcome = Literal["returnee_registered", "breach_confirmed", "no_issue_found"]


class _TipEvent(EventData, topic=TIP_TOPIC):
    tip_id: Id = Field(description="Opaque tip id (the aggregate id).")


class TipReported(_TipEvent, event_type="registry.tip.reported"):
    """A tip came in; it becomes a screening task for the compound's grid staff."""

    kind: TipKind
    channel: TipChannel
    compound_id: Id
    household_id: Id | None = None
    reporter_resident_id: Id | None = Field(
        default=None, description="None for an anonymous tip."
    )
    screening_task_id: Id
    reported_at: AwareDatetime


class TipScreened(_TipEvent, event_type="registry.tip.screened"):
    """Grid staff screened a tip; ``resident_id`` is set when a person was registered or found."""

    screening_task_id: Id
    outcome: ScreeningOutcome
    resident_id: Id | None = None
    screened_by: StaffId
    screened_at: AwareDatetime


class TipReporterReencrypted(Resealed, _TipEvent, event_type="registry.tip.reporter_reencrypted"):
    """The reporter's sealed contact data was sealed again under the registry's current key (rotation)."""

