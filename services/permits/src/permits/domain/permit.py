"""One permit, from application through joint review to issue, suspension, revocation, expiry.

Plain Python, no I/O. An application and the permit it becomes are one aggregate. Each
method checks its rule, changes the state and records the contract events (``pending``)
that the repository stores in the same insert. Commands caused by a registry event are
made idempotent by the quarantine id they record (``quarantine_suspensions`` /
``quarantine_releases``): the same quarantine never suspends or reinstates twice.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from towngrid_contracts.envelope import EventData
from towngrid_contracts.permits import (
    PermitApplied,
    PermitExpired,
    PermitIssued,
    PermitOpeningChecklistUpdated,
    PermitRejected,
    PermitReviewStepDecided,
    PermitReviewStepOverdue,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from permits.domain.decisions import PermitAppeal
from permits.domain.holder_decisions import RESIDENT_PERMITS, HolderDecisions
from permits.domain.review import ReviewPolicy, ReviewStep, outcome

OPENING_STANDARD = ("staff_health_certificates", "disinfection", "temperature_checks", "buyer_ledger")


@dataclass
class Permit(HolderDecisions):
    permit_id: str
    permit_type: str
    holder_resident_id: str | None
    merchant_id: str | None
    channel: str
    service_point_id: str | None
    checkpoint_id: str | None
    details: dict[str, Any]  # type-specific; may hold a plate number: never put into an event
    applied_at: datetime
    requested_until: datetime | None
    policy: ReviewPolicy
    steps: list[ReviewStep] = field(default_factory=list)
    status: str = "under_review"  # under_review | issued | rejected | suspended | revoked | expired
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    issued_at: datetime | None = None
    rejection: dict[str, Any] | None = None
    suspension: dict[str, Any] | None = None
    revocation: dict[str, Any] | None = None
    expired_at: datetime | None = None
    quarantine_suspensions: list[str] = field(default_factory=list)
    quarantine_releases: list[str] = field(default_factory=list)
    receipt_hash: str | None = None  # SHA-256 of the applicant's receipt (their key to the status page)
    decisions: list[dict[str, Any]] = field(default_factory=list)  # who suspended/lifted/revoked/reinstated, why
    appeals: list[PermitAppeal] = field(default_factory=list)
    compound_id: str | None = None  # the applicant's compound and community: who may see the application
    community_id: str | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    # ----- applying ---------------------------------------------------------------

    @classmethod
    def apply(cls, *, permit_id: str, permit_type: str, holder_resident_id: str | None, merchant_id: str | None,
              channel: str, service_point_id: str | None, checkpoint_id: str | None, details: dict[str, Any],
              requested_until: datetime | None, policy: ReviewPolicy, now: datetime,
              holder_in_quarantine: bool) -> "Permit":
        if permit_type in RESIDENT_PERMITS and not holder_resident_id:
            raise InvalidInput(f"a {permit_type} needs holder_resident_id", field="body.holder_resident_id")
        if requested_until is not None:
            if requested_until <= now:
                raise InvalidInput("valid_until must be in the future", field="body.valid_until")
            if requested_until > now + timedelta(days=policy.max_validity_days):
                raise InvalidInput(f"valid_until is more than {policy.max_validity_days} days ahead",
                                   field="body.valid_until")
        permit = cls(
            permit_id=permit_id, permit_type=permit_type, holder_resident_id=holder_resident_id,
            merchant_id=merchant_id, channel=channel, service_point_id=service_point_id,
            checkpoint_id=checkpoint_id, details=details, applied_at=now, requested_until=requested_until,
            policy=policy,
            steps=[ReviewStep(d, due_at=now + timedelta(seconds=policy.step_time_limit_s)) for d in policy.departments],
        )
        permit.pending.append(PermitApplied(
            **permit._holder(), channel=channel, service_point_id=service_point_id, applied_at=now,
            checkpoint_id=checkpoint_id, review_departments=list(policy.departments),
        ))
        if holder_in_quarantine and permit_type in RESIDENT_PERMITS:
            permit._reject("holder_in_quarantine", None, "the holder is in quarantine: no new "
                           f"{permit_type} until released", now)
        return permit

    def receipt_matches(self, receipt: str) -> bool:
        given = hashlib.sha256(receipt.encode()).hexdigest()
        return self.receipt_hash is not None and hmac.compare_digest(given, self.receipt_hash)

    # ----- joint review -----------------------------------------------------------

    def step(self, department: str) -> ReviewStep:
        for s in self.steps:
            if s.department == department:
                return s
        raise NotFound(f"application {self.permit_id} has no review step for department {department}")

    @property
    def checklist_missing(self) -> list[str]:
        done = self.details.get("checklist", {})
        return [item for item in OPENING_STANDARD if not done.get(item)]

    def update_checklist(self, items: dict[str, bool], now: datetime) -> None:
        if self.permit_type != "business_reopening":
            raise Conflict("only a business reopening application has an opening-standard checklist")
        if self.status != "under_review":
            raise Conflict(f"application {self.permit_id} is {self.status}; the checklist is closed")
        self.details["checklist"] = {**self.details.get("checklist", {}), **items}
        done = [i for i in OPENING_STANDARD if self.details["checklist"].get(i)]
        self.pending.append(PermitOpeningChecklistUpdated(
            **self._holder(), items_done=done, complete=not self.checklist_missing, updated_at=now))

    def decide(self, department: str, *, approve: bool, reason: str | None, reason_code: str | None,
               decided_by: str, now: datetime, escalated: bool, holder_in_quarantine: bool) -> None:
        """One department's decision; the configured rule may then issue or reject the permit."""
        if self.status != "under_review":
            raise Conflict(f"application {self.permit_id} is {self.status}; its review is closed")
        target = self.step(department)
        if not target.open:
            raise Conflict(f"department {department} has already decided ({target.status})")
        if escalated and not target.escalated:
            raise Conflict(f"the step of {department} is not escalated; only the department decides it")
        if not approve and not reason:
            raise InvalidInput("a rejection needs a reason", field="body.reason")
        if approve and self.permit_type == "business_reopening" and self.checklist_missing:
            raise Conflict("the opening standard is not met: missing " + ", ".join(self.checklist_missing))
        target.status = "approved" if approve else "rejected"
        target.reason, target.reason_code = reason, (None if approve else reason_code or "failed_joint_review")
        target.decided_by, target.decided_at = decided_by, now
        self.pending.append(PermitReviewStepDecided(
            **self._holder(), department=department, decision=target.status, escalated=escalated, decided_at=now))
        decided = outcome(self.policy, self.steps)
        if decided is None:
            return
        for s in self.steps:
            if s.open:
                s.status = "closed"
        if decided == "rejected":
            first = next(s for s in self.steps if s.status == "rejected")
            self._reject(first.reason_code or "failed_joint_review", first.department, first.reason or "", now)
        elif holder_in_quarantine and self.permit_type in RESIDENT_PERMITS:
            self._reject("holder_in_quarantine", None, "approved, but the holder is in quarantine", now)
        else:
            self._issue(now)

    def mark_overdue(self, now: datetime) -> list[str]:
        """Escalate every open step past its time limit; the departments escalated."""
        if self.status != "under_review":
            return []
        escalated = []
        for s in self.steps:
            if s.open and not s.overdue and s.due_at <= now:
                s.overdue, s.escalated, s.escalated_at = True, True, now
                escalated.append(s.department)
                self.pending.append(PermitReviewStepOverdue(
                    **self._holder(), department=s.department, due_at=s.due_at, detected_at=now))
        return escalated

    @property
    def next_due(self) -> datetime | None:
        dues = [s.due_at for s in self.steps if s.open and not s.overdue] if self.status == "under_review" else []
        return min(dues) if dues else None

    # ----- after issue --------------------------------------------------------------

    def expire(self, now: datetime) -> bool:
        if self.status not in ("issued", "suspended") or self.valid_until is None or self.valid_until > now:
            return False
        self.status, self.expired_at = "expired", now
        self.pending.append(PermitExpired(**self._holder(), expired_at=now))
        return True

    def verification_status(self, now: datetime) -> str:
        if self.status == "issued":
            assert self.valid_until is not None and self.valid_from is not None
            if self.valid_until <= now:
                return "expired"
            return "valid" if self.valid_from <= now else "not_yet_valid"
        if self.status in ("suspended", "revoked", "expired"):
            return self.status
        return "not_issued"

    # ----- internals ------------------------------------------------------------------

    def _holder(self) -> dict[str, Any]:
        return {"permit_id": self.permit_id, "permit_type": self.permit_type,
                "holder_resident_id": self.holder_resident_id, "merchant_id": self.merchant_id}

    def _issue(self, now: datetime) -> None:
        until = self.requested_until or now + timedelta(days=self.policy.default_validity_days)
        if until <= now:
            self._reject("other", None, "the requested validity ended before the review did", now)
            return
        self.status, self.valid_from, self.valid_until, self.issued_at = "issued", now, until, now
        self.pending.append(PermitIssued(**self._holder(), valid_from=now, valid_until=until, issued_at=now))

    def _reject(self, reason: str, department: str | None, note: str, now: datetime) -> None:
        self.status = "rejected"
        for s in self.steps:
            if s.open:
                s.status = "closed"
        self.rejection = {"reason": reason, "department": department, "note": note, "at": now}
        self.pending.append(PermitRejected(**self._holder(), reason=reason, department=department, rejected_at=now))
