"""The permits service's HTTP request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from permits.domain.permit import OPENING_STANDARD, RESIDENT_PERMITS, Permit
from permits.domain.decisions import PermitAppeal
from permits.domain.review import ReviewPolicy

from permits.entrypoints.application_bodies import OpeningChecklist
from permits.entrypoints.inputs import Body, Department


class Decision(Body):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="Required to reject.")
    reason_code: Literal["missing_documents", "failed_joint_review", "opening_standard_not_met", "other"] | None = None


class ChecklistUpdate(OpeningChecklist):
    pass


ReasonCode = Annotated[str, Field(min_length=1, max_length=60, description=(
    "Why, one of the configured codes (PERMITS_DECISION_REASONS); an unknown code gets 422 naming them."))]
Note = Annotated[str, Field(min_length=1, max_length=1000, description=(
    "Free text (needed with reason_code other); kept in this service only, never published."))]


class Revocation(Body):
    reason_code: ReasonCode = Field(validation_alias=AliasChoices("reason_code", "reason"))
    note: Note | None = None


class PermitDecisionBody(Body):
    """Suspending a permit, or lifting a suspension: why."""

    reason_code: ReasonCode
    note: Note | None = None


class FileAppeal(Body):
    permit_id: Annotated[str, Field(min_length=1, max_length=100)]
    statement: Note | None = Field(default=None, description="The holder's grounds (kept in this service only).")


class HolderAppeal(Body):
    verification_code: str = Field(min_length=1, max_length=2000,
                                   description="The permit's verification code: proves the appellant holds it.")
    statement: Note | None = Field(default=None, description="Your grounds (kept in this service only).")


class DecideAppeal(Body):
    outcome: Literal["upheld", "overturned"]
    reason_code: str = Field(min_length=1, max_length=60,
                             description="One of the configured codes (PERMITS_APPEAL_REASONS).")
    note: Note | None = None


class AppealView(BaseModel):
    appeal_id: str
    permit_id: str
    against: str = Field(description="suspension or revocation.")
    decision_id: str | None
    deciders: list[str] = Field(description="Who took the appealed decision: they may not review it.")
    channel: str = Field(description="staff, or holder (filed by the holder with the permit's code).")
    filed_by: str
    filed_at: datetime
    statement: str | None
    status: str = Field(description="open, upheld or overturned.")
    reason_code: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, permit_id: str, a: PermitAppeal) -> "AppealView":
        return cls(permit_id=permit_id, **vars(a))


class HolderAppealView(BaseModel):
    """The answer to a holder's own appeal: that it was received, nothing about why the permit is not valid."""

    appeal_id: str
    permit_id: str
    status: Literal["open"] = "open"
    filed_at: datetime


class VerifyCode(Body):
    code: str = Field(min_length=1, max_length=2000)


class PolicyBody(Body):
    departments: list[Department] = Field(min_length=1, max_length=12)
    rule: Literal["all", "quorum"] = "all"
    quorum: int | None = Field(default=None, ge=1)
    step_time_limit_s: int = Field(default=86400, ge=1, le=30 * 86400)
    default_validity_days: int = Field(default=30, ge=1, le=366)
    max_validity_days: int = Field(default=90, ge=1, le=366)


class PolicyView(PolicyBody):
    model_config = ConfigDict(extra="ignore")
    permit_type: str

    @classmethod
    def of(cls, permit_type: str, p: ReviewPolicy) -> "PolicyView":
        return cls(permit_type=permit_type, departments=p.departments, rule=p.rule, quorum=p.quorum,
                   step_time_limit_s=p.step_time_limit_s, default_validity_days=p.default_validity_days,
                   max_validity_days=p.max_validity_days)


# ----- views -------------------------------------------------------------------------------

class StepView(BaseModel):
    department: str
    status: str
    due_at: datetime
    overdue: bool
    escalated: bool
    reason: str | None = None
    reason_code: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None


class ApplicationView(BaseModel):
    """Staff views (reviewers, officers, admins, checkpoints) and the counter's answer: never a verification
    code, which only the holder's own view (``ApplicantView``) shows."""

    permit_id: str
    permit_type: str
    holder_resident_id: str | None
    merchant_id: str | None
    channel: str
    service_point_id: str | None
    checkpoint_id: str | None
    compound_id: str | None = Field(default=None, description="The applicant's compound (grid scope).")
    community_id: str | None = Field(default=None, description="The applicant's community (grid scope).")
    status: str
    applied_at: datetime
    rule: str
    quorum: int | None
    steps: list[StepView]
    rejection: dict[str, Any] | None
    valid_from: datetime | None
    valid_until: datetime | None
    issued_at: datetime | None
    suspension: dict[str, Any] | None
    revocation: dict[str, Any] | None
    checklist_missing: list[str]
    details: dict[str, Any] | None = None
    receipt: str | None = Field(default=None, description="Only in the answer to an application: the applicant's "
                                "key to GET /applications/{permit_id}/status. Not shown again.")
    decisions: list[dict[str, Any]] | None = Field(
        default=None, description="Staff views: who suspended, lifted, revoked or reinstated it and why (``system`` "
                                  "when automatic, with the quarantine decision it followed as ``cause``).")
    appeals: list[AppealView] | None = Field(default=None, description="Staff views: appeals and their outcomes.")
    version: int

    @classmethod
    def of(cls, p: Permit, *, only_department: str | None = None, with_details: bool = True) -> "ApplicationView":
        steps = [s for s in p.steps if only_department is None or s.department == only_department]
        return cls(
            permit_id=p.permit_id, permit_type=p.permit_type, holder_resident_id=p.holder_resident_id,
            merchant_id=p.merchant_id, channel=p.channel, service_point_id=p.service_point_id,
            checkpoint_id=p.checkpoint_id, compound_id=p.compound_id, community_id=p.community_id,
            status=p.status, applied_at=p.applied_at, rule=p.policy.rule,
            quorum=p.policy.quorum, steps=[StepView(**vars(s)) for s in steps], rejection=p.rejection,
            valid_from=p.valid_from, valid_until=p.valid_until, issued_at=p.issued_at, suspension=p.suspension,
            revocation=p.revocation,
            checklist_missing=p.checklist_missing if p.permit_type == "business_reopening" else [],
            details=p.details if with_details else None, version=p.version,
            decisions=p.decisions if with_details else None,
            appeals=[AppealView.of(p.permit_id, a) for a in p.appeals] if with_details else None)


class ApplicantView(ApplicationView):
    """The applicant's own view (public, with the receipt): the one place a verification code is shown."""

    verification_code: str | None = Field(default=None, description=(
        "The signed code to show at checkpoints, once issued: only to the holder's own channel (the receipt of a "
        "counter application, or of an online one, which proved the holder with their holder_key). Never in a "
        "staff view."))

    @classmethod
    def public_of(cls, p: Permit, code: str | None) -> "ApplicantView":
        """It must not tell whether the holder is in quarantine, so for a resident's permit no reasons, no
        step outcomes, and a suspension looks like a revocation (``not_valid``)."""
        shown = cls(**ApplicationView.of(p, with_details=False).model_dump(), verification_code=code)
        for step in shown.steps:
            step.decided_by = None
        if p.permit_type not in RESIDENT_PERMITS:
            return shown
        for step in shown.steps:
            step.status = "pending" if step.status == "pending" else "closed"
            step.reason = step.reason_code = None
            step.decided_at = None
        shown.rejection = {"reason": "not_granted"} if p.rejection else None
        shown.suspension = shown.revocation = None
        if p.status in ("suspended", "revoked"):
            shown.status, shown.verification_code = "not_valid", None
        return shown


class VerificationView(BaseModel):
    status: Literal["valid", "not_valid", "suspended", "revoked", "expired", "not_yet_valid", "not_issued"] = Field(
        description="Public callers get only `valid` / `not_valid` (a suspension would tell that the holder is in "
                    "quarantine); checkpoint staff with a token get the detailed status.")
    detailed: bool = Field(default=False, description="Whether the status is the detailed (staff) one.")
    permit_id: str
    permit_type: str
    valid_from: datetime | None
    valid_until: datetime | None


class VerificationKeyView(BaseModel):
    algorithm: Literal["Ed25519"] = "Ed25519"
    key_id: str
    public_key_pem: str
    public_key_raw_b64url: str
    code_format: str = ("TGP1.<base64url JSON {p: permit_id, t: permit_type, f: valid_from, u: valid_until "
                        "(Unix s)}>.<base64url Ed25519 signature over 'TGP1.<payload>'>")


class CheckpointQrView(BaseModel):
    checkpoint_id: str
    compound_id: str
    qr_code: str


OPENING_ITEMS = OPENING_STANDARD
