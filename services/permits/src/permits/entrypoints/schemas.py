"""The permits service's HTTP request and response bodies."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from permits.domain.permit import OPENING_STANDARD, Permit
from permits.domain.review import ReviewPolicy

Text = Annotated[str, Field(min_length=1, max_length=200)]
ResidentId = Annotated[str, Field(pattern=r"^res_[A-Za-z0-9]{1,64}$", description="The registry's resident id.")]
MerchantId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,80}$", description="The delivery service's merchant id.")]
Department = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
CHECKPOINT_RE = re.compile(r"^CP-(C\d{2}-\d{3})$")
# Province abbreviation, issuing-office letter, then 5 characters (6 for new-energy vehicles).
PLATE_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]"
                      r"(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{4}[挂学警])$")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ----- what each permit type asks for -------------------------------------------------

class OpeningChecklist(_Body):
    """The opening standard; every item must be met before a business reopening is approved."""

    staff_health_certificates: bool = False
    disinfection: bool = False
    temperature_checks: bool = False
    buyer_ledger: bool = False


class _HealthCertificate(_Body):
    permit_type: Literal["health_certificate"]
    holder_resident_id: ResidentId
    purpose: Literal["work", "shop_service", "labour_batch"]
    employer: Text | None = None
    valid_until: AwareDatetime | None = Field(default=None, description="Defaults to the configured validity.")


class _VehiclePass(_Body):
    permit_type: Literal["vehicle_pass"]
    holder_resident_id: ResidentId
    plate_number: str = Field(description="Mainland plate, e.g. 豫Q12345 (kept in this service only).")
    vehicle_type: Literal["car", "van", "truck", "bus", "motorcycle", "tractor", "other"]
    purpose: Text
    route: Text = Field(description="Route or area the pass covers.")
    valid_until: AwareDatetime

    @field_validator("plate_number")
    @classmethod
    def _plate(cls, value: str) -> str:
        value = value.replace(" ", "").replace("·", "").upper()
        if not PLATE_RE.match(value):
            raise ValueError("plate_number is not a mainland plate number (e.g. 豫Q12345)")
        return value


class _BusinessReopening(_Body):
    permit_type: Literal["business_reopening"]
    merchant_id: MerchantId
    business_kind: Literal["shop", "supermarket", "market"]
    premises: Text = Field(description="Where the business is (kept in this service only).")
    checklist: OpeningChecklist = Field(default_factory=OpeningChecklist)
    valid_until: AwareDatetime | None = None


class _AtCounter(_Body):
    channel: Literal["town_hall_window", "community_service_point"]
    service_point_id: Text = Field(description="Which window (W1..) or community service point (SP-C01..).")


class _Online(_Body):
    qr_code: str = Field(min_length=1, max_length=500, description="The signed code of the checkpoint's QR poster.")


class CounterHealthCertificate(_AtCounter, _HealthCertificate): ...
class CounterVehiclePass(_AtCounter, _VehiclePass): ...
class CounterBusinessReopening(_AtCounter, _BusinessReopening): ...
class OnlineHealthCertificate(_Online, _HealthCertificate): ...
class OnlineVehiclePass(_Online, _VehiclePass): ...
class OnlineBusinessReopening(_Online, _BusinessReopening): ...


CounterApplication = Annotated[
    Union[CounterHealthCertificate, CounterVehiclePass, CounterBusinessReopening], Field(discriminator="permit_type")]
OnlineApplication = Annotated[
    Union[OnlineHealthCertificate, OnlineVehiclePass, OnlineBusinessReopening], Field(discriminator="permit_type")]

_COMMON = {"permit_type", "holder_resident_id", "merchant_id", "channel", "service_point_id", "qr_code", "valid_until"}


def details_of(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="python", exclude=_COMMON)


# ----- review, revocation, verification, policies ---------------------------------------

class Decision(_Body):
    decision: Literal["approve", "reject"]
    reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="Required to reject.")
    reason_code: Literal["missing_documents", "failed_joint_review", "opening_standard_not_met", "other"] | None = None


class ChecklistUpdate(OpeningChecklist):
    pass


class Revocation(_Body):
    reason: Literal["fraud", "opening_standard_breached", "holder_request", "other"]
    note: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class VerifyCode(_Body):
    code: str = Field(min_length=1, max_length=2000)


class PolicyBody(_Body):
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
    permit_id: str
    permit_type: str
    holder_resident_id: str | None
    merchant_id: str | None
    channel: str
    service_point_id: str | None
    checkpoint_id: str | None
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
    verification_code: str | None = None
    receipt: str | None = Field(default=None, description="Only in the answer to an application: the applicant's "
                                "key to GET /applications/{permit_id}/status. Not shown again.")
    version: int

    @classmethod
    def of(cls, p: Permit, code: str | None, *, only_department: str | None = None,
           with_details: bool = True) -> "ApplicationView":
        steps = [s for s in p.steps if only_department is None or s.department == only_department]
        return cls(
            permit_id=p.permit_id, permit_type=p.permit_type, holder_resident_id=p.holder_resident_id,
            merchant_id=p.merchant_id, channel=p.channel, service_point_id=p.service_point_id,
            checkpoint_id=p.checkpoint_id, status=p.status, applied_at=p.applied_at, rule=p.policy.rule,
            quorum=p.policy.quorum, steps=[StepView(**vars(s)) for s in steps], rejection=p.rejection,
            valid_from=p.valid_from, valid_until=p.valid_until, issued_at=p.issued_at, suspension=p.suspension,
            revocation=p.revocation,
            checklist_missing=p.checklist_missing if p.permit_type == "business_reopening" else [],
            details=p.details if with_details else None, verification_code=code, version=p.version)


class ApplicationPage(BaseModel):
    items: list[ApplicationView]
    next_after: str | None = Field(description="Pass as `after` to get the next page; null on the last page.")


class VerificationView(BaseModel):
    status: Literal["valid", "suspended", "revoked", "expired", "not_yet_valid", "not_issued"]
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
