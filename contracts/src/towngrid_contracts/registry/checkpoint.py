"""Events about a checkpoint (卡点, one per compound gate, staffed 24 hours a day).

Keyed by ``checkpoint_id`` on ``registry.checkpoint.v1``. Delivery uses checkpoints as pickup
points and refers to them by the same id.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id
from towngrid_contracts.topics import topic_name

CHECKPOINT_TOPIC = topic_name("registry", "checkpoint")


class _CheckpointEvent(EventData, topic=CHECKPOINT_TOPIC):
    checkpoint_id: Id = Field(description="Opaque checkpoint id (the aggregate id).")


class CheckpointCoverageGapDetected(_CheckpointEvent, event_type="registry.checkpoint.coverage_gap_detected"):
    """A shift at a checkpoint has fewer people on the duty roster than it needs."""

    compound_id: Id
    community_id: Id
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    required_staff: int = Field(ge=1)
    rostered_staff: int = Field(ge=0)
    detected_at: AwareDatetime


class CheckpointCoverageRestored(_CheckpointEvent, event_type="registry.checkpoint.coverage_restored"):
    """The roster covers the checkpoint again for the shift that had a gap."""

    compound_id: Id
    shift_start: AwareDatetime
    shift_end: AwareDatetime
    rostered_staff: int = Field(ge=1)
    restored_at: AwareDatetime
