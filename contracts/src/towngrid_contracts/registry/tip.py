"""Events about a tip from a resident: an unregistered returnee or a breach, and its screening.

Keyed by ``tip_id`` on ``registry.tip.v1``. A tip carries no free text: whoever reported it
and whoever it is about appear only as opaque ids, if known.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

TIP_TOPIC = topic_name("registry", "tip")

TipKind = Literal["unregistered_returnee", "quarantine_breach", "gathering", "other"]
TipChannel = Literal["checkpoint_qr", "hotline", "wechat", "in_person"]
ScreeningOutcome = Literal["returnee_registered", "breach_confirmed", "no_issue_found"]


class _TipEvent(EventData):
    topic: ClassVar[str] = TIP_TOPIC
    producer: ClassVar[str] = "registry"

    tip_id: str = Field(min_length=1, description="Opaque tip id (the aggregate id).")


class TipReported(_TipEvent):
    """A tip came in; it becomes a screening task for the compound's grid staff."""

    event_type: ClassVar[str] = "registry.tip.reported"

    kind: TipKind
    channel: TipChannel
    compound_id: str = Field(min_length=1)
    household_id: str | None = Field(default=None, min_length=1)
    reporter_resident_id: str | None = Field(
        default=None, min_length=1, description="None for an anonymous tip."
    )
    screening_task_id: str = Field(min_length=1)
    reported_at: AwareDatetime


class TipScreened(_TipEvent):
    """Grid staff screened a tip; ``resident_id`` is set when a person was registered or found."""

    event_type: ClassVar[str] = "registry.tip.screened"

    screening_task_id: str = Field(min_length=1)
    outcome: ScreeningOutcome
    resident_id: str | None = Field(default=None, min_length=1)
    screened_by: str = Field(min_length=1, description="Opaque staff id.")
    screened_at: AwareDatetime


class TipReporterReencrypted(_TipEvent):
    """The reporter's sealed contact data was sealed again under the registry's current key (rotation)."""

    event_type: ClassVar[str] = "registry.tip.reporter_reencrypted"

    key_id: str = Field(min_length=1, max_length=32, description="Label of the key that now seals the data.")
    reencrypted_at: AwareDatetime
