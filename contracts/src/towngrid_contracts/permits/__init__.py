"""Events published by the permits service (only the permits service edits this package)."""

from towngrid_contracts.permits.permit import (
    PERMIT_TOPIC,
    PermitAppealDecided,
    PermitAppealFiled,
    PermitApplied,
    PermitExpired,
    PermitIssued,
    PermitOpeningChecklistUpdated,
    PermitReinstated,
    PermitRejected,
    PermitReviewStepDecided,
    PermitReviewStepOverdue,
    PermitRevoked,
    PermitSuspended,
)

EVENTS = (
    PermitApplied,
    PermitIssued,
    PermitRejected,
    PermitSuspended,
    PermitReinstated,
    PermitRevoked,
    PermitExpired,
    PermitReviewStepDecided,
    PermitReviewStepOverdue,
    PermitOpeningChecklistUpdated,
    PermitAppealFiled,
    PermitAppealDecided,
)
"""Every permits event, in catalogue order."""

__all__ = [
    "EVENTS",
    "PERMIT_TOPIC",
    "PermitAppealDecided",
    "PermitAppealFiled",
    "PermitApplied",
    "PermitExpired",
    "PermitIssued",
    "PermitOpeningChecklistUpdated",
    "PermitRejected",
    "PermitReinstated",
    "PermitReviewStepDecided",
    "PermitReviewStepOverdue",
    "PermitRevoked",
    "PermitSuspended",
]
