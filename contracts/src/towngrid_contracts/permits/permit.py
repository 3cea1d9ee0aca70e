"""Events about one permit, from application to expiry.

Keyed by ``permit_id`` on ``permits.permit.v1``: the id is assigned when the application is
taken, so an application and the permit it becomes are one aggregate, in order. Every event
repeats the permit type and holder so that a consumer can keep a projection ("does this
resident hold a valid health certificate?", "may this merchant sell?") from any single event.

The holder is an opaque id only: ``holder_resident_id`` for health certificates and vehicle
passes, ``merchant_id`` for business reopening. A vehicle pass is identified by its
``permit_id`` alone: no plate number, which would identify a person's vehicle.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

PERMIT_TOPIC = topic_name("permits", "permit")

PermitType = Literal["health_certificate", "vehicle_pass", "business_reopening"]
ApplicationChannel = Literal["town_hall_window", "community_service_point", "online_qr"]
RejectionReason = Literal[
    "holder_in_quarantine",
    "missing_documents",
    "failed_joint_review",
    "opening_standard_not_met",
    "duplicate_application",
    "other",
]
SuspensionReason = Literal["holder_quarantined", "under_investigation", "other"]
RevocationReason = Literal["fraud", "opening_standard_breached", "holder_request", "other"]
DecidedBy = Annotated[Id | None, Field(description="Opaque staff id of who decided it; ``system`` when automatic.")]
DecisionReason = Annotated[
    Id | None, Field(description="Why, from the permits service's configured list (free text stays there).")
]

RESIDENT_PERMITS: frozenset[str] = frozenset({"health_certificate", "vehicle_pass"})


class _PermitEvent(EventData, topic=PERMIT_TOPIC):
    permit_id: Id = Field(description="Opaque permit id (the aggregate id).")
    permit_type: PermitType
    holder_resident_id: Id | None = Field(
        default=None, description="Set for health certificates and vehicle passes."
    )
    merchant_id: Id | None = Field(
        default=None, description="Set for business reopening permits."
    )

    @model_validator(mode="after")
    def _one_holder(self) -> Self:
        resident_permit = self.permit_type in RESIDENT_PERMITS
        if resident_permit and (self.holder_resident_id is None or self.merchant_id is not None):
            raise ValueError(f"a {self.permit_type} is held by holder_resident_id only")
        if not resident_permit and (self.merchant_id is None or self.holder_resident_id is not None):
            raise ValueError(f"a {self.permit_type} is held by merchant_id only")
        return self


class PermitApplied(_PermitEvent, event_type="permits.permit.applied"):
    """An application was taken at a window, a community service point, or online."""

    channel: ApplicationChannel
    service_point_id: Id | None = Field(
        default=None, description="Window or service point; none when online."
    )
    applied_at: AwareDatetime
    checkpoint_id: Id | None = Field(
        default=None, description="Online: the checkpoint whose QR code was scanned."
    )
    review_departments: list[str] | None = Field(
        default=None, description="Codes of the departments that review this application in parallel."
    )


class PermitIssued(_PermitEvent, event_type="permits.permit.issued"):
    """The joint review passed and the permit is valid from ``valid_from`` to ``valid_until``."""

    valid_from: AwareDatetime
    valid_until: AwareDatetime
    issued_at: AwareDatetime

    @model_validator(mode="after")
    def _valid_window(self) -> Self:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class PermitRejected(_PermitEvent, event_type="permits.permit.rejected"):
    reason: RejectionReason
    department: Id | None = Field(
        default=None, description="Code of the reviewing department that refused."
    )
    rejected_at: AwareDatetime


class PermitSuspended(_PermitEvent, event_type="permits.permit.suspended"):
    """The permit is not valid until reinstated (e.g. while its holder is in quarantine)."""

    reason: SuspensionReason
    quarantine_id: Id | None = Field(
        default=None, description="The registry quarantine that caused it, if any."
    )
    suspended_at: AwareDatetime
    decided_by: DecidedBy = None
    reason_code: DecisionReason = None


class PermitReinstated(_PermitEvent, event_type="permits.permit.reinstated"):
    valid_until: AwareDatetime
    reinstated_at: AwareDatetime
    decided_by: DecidedBy = None
    reason_code: DecisionReason = None
    appeal_id: Id | None = Field(default=None, description="The appeal whose outcome reinstated it, if any.")


class PermitRevoked(_PermitEvent, event_type="permits.permit.revoked"):
    """The permit is withdrawn for good."""

    reason: RevocationReason
    revoked_at: AwareDatetime
    revoked_by: Id | None = Field(default=None, description="Opaque id of the staff member who revoked.")
    decided_by: DecidedBy = None
    reason_code: DecisionReason = None


class PermitExpired(_PermitEvent, event_type="permits.permit.expired"):
    expired_at: AwareDatetime


ReviewDecision = Literal["approved", "rejected"]


class _ReviewStepEvent(_PermitEvent):
    """An event about one department's step of the joint review."""

    department: Id = Field(description="Code of the reviewing department.")


class PermitReviewStepDecided(_ReviewStepEvent, event_type="permits.permit.review_step_decided"):
    """One department's step of the joint review was decided (steps run in parallel)."""

    decision: ReviewDecision
    escalated: bool = Field(default=False, description="Decided by the escalation level, not the department.")
    decided_at: AwareDatetime


class PermitReviewStepOverdue(_ReviewStepEvent, event_type="permits.permit.review_step_overdue"):
    """A department did not decide its step within the time limit; the step is escalated."""

    due_at: AwareDatetime
    escalated_to: Literal["town_admin"] = "town_admin"
    detected_at: AwareDatetime


OpeningStandardItem = Literal["staff_health_certificates", "disinfection", "temperature_checks", "buyer_ledger"]


class PermitOpeningChecklistUpdated(_PermitEvent, event_type="permits.permit.opening_checklist_updated"):
    """A business-reopening application's opening-standard checklist changed (complete before approval)."""

    items_done: list[OpeningStandardItem] = Field(description="The items of the opening standard now met.")
    complete: bool
    updated_at: AwareDatetime


AppealAgainst = Literal["suspension", "revocation"]
AppealChannel = Literal["staff", "holder"]
AppealOutcome = Literal["upheld", "overturned"]


class _AppealEvent(_PermitEvent):
    """An event about one appeal against the permit's suspension or revocation."""

    appeal_id: Id
    against: AppealAgainst


class PermitAppealFiled(_AppealEvent, event_type="permits.appeal.filed"):
    """An appeal against the permit's suspension or revocation was filed (by staff or by the holder)."""

    decision_id: Id | None = Field(default=None, description="The appealed decision.")
    channel: AppealChannel = Field(description="``holder``: filed by the holder with the permit's code (public).")
    filed_by: StaffId = Field(description="Opaque staff id, or ``holder``.")
    filed_at: AwareDatetime


class PermitAppealDecided(_AppealEvent, event_type="permits.appeal.decided"):
    """An appeal was reviewed by someone other than the decider; ``overturned`` reinstates the permit."""

    outcome: AppealOutcome
    reason_code: Id = Field(description="Why, from the permits service's configured appeal reasons.")
    decided_by: StaffId = Field(description="Opaque staff id of the reviewer.")
    decided_at: AwareDatetime
