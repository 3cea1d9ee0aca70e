"""Events published by the registry service (only the registry edits this package)."""

from towngrid_contracts.registry.checkpoint import (
    CHECKPOINT_TOPIC,
    CheckpointCoverageGapDetected,
    CheckpointCoverageRestored,
)
from towngrid_contracts.registry.grid import (
    GRID_TOPIC,
    CommunityRegistered,
    CompoundRegistered,
    GridSettingsChanged,
    GridUnitRenamed,
    NeighbourGroupRegistered,
)
from towngrid_contracts.registry.resident import (
    RESIDENT_TOPIC,
    ChecklistCompleted,
    ChecklistItemOverdue,
    ChecklistItemVerified,
    FeverAlertRaised,
    HealthCheckRecorded,
    QuarantineEnded,
    QuarantineStarted,
    ResidentLeftTown,
    ResidentReturned,
)
from towngrid_contracts.registry.tip import TIP_TOPIC, TipReported, TipScreened
from towngrid_contracts.registry.vulnerable import CareVisitRecorded, VulnerableResidentEnrolled

EVENTS = (
    ResidentReturned,
    ChecklistCompleted,
    ChecklistItemOverdue,
    ChecklistItemVerified,
    QuarantineStarted,
    HealthCheckRecorded,
    FeverAlertRaised,
    QuarantineEnded,
    ResidentLeftTown,
    VulnerableResidentEnrolled,
    CareVisitRecorded,
    TipReported,
    TipScreened,
    CheckpointCoverageGapDetected,
    CheckpointCoverageRestored,
    CommunityRegistered,
    CompoundRegistered,
    NeighbourGroupRegistered,
    GridUnitRenamed,
    GridSettingsChanged,
)
"""Every registry event, in catalogue order."""

__all__ = [
    "CHECKPOINT_TOPIC",
    "EVENTS",
    "GRID_TOPIC",
    "CommunityRegistered",
    "CompoundRegistered",
    "GridSettingsChanged",
    "GridUnitRenamed",
    "NeighbourGroupRegistered",
    "RESIDENT_TOPIC",
    "TIP_TOPIC",
    "CareVisitRecorded",
    "ChecklistCompleted",
    "ChecklistItemOverdue",
    "ChecklistItemVerified",
    "CheckpointCoverageGapDetected",
    "CheckpointCoverageRestored",
    "FeverAlertRaised",
    "HealthCheckRecorded",
    "QuarantineEnded",
    "QuarantineStarted",
    "ResidentLeftTown",
    "ResidentReturned",
    "TipReported",
    "TipScreened",
    "VulnerableResidentEnrolled",
]
