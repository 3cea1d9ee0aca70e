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
from typing import Any, get_args

from towngrid_contracts.envelope import EventData
from towngrid_contracts.permits import (
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
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from permits.domain.decisions import (
    APPEAL_OVERTURNED,
    HOLDER_QUARANTINED,
    QUARANTINE_ENDED,
    SYSTEM,
    PermitAppeal,
)
from permits.domain.review import ReviewPolicy, ReviewStep, outcome

RESIDENT_PERMITS = ("health_certificate", "vehicle_pass")
OPENING_STANDARD = ("staff_health_certificates", "disinfection", "temperature_checks", "buyer_ledger")
# The codes the events' original ``reason`` fields allow; a configured code outside them is sent as ``other``
# there (and as itself in ``reason_code``).
REVOCATION_EVENT_REASONS = frozenset(get_args(PermitRevoked.model_fields["reason"].annotation))
SUSPENSION_EVENT_REASONS = frozenset(get_args(PermitSuspended.model_fields["reason"].annotation))


@dataclass
class Permit:
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

    def suspend_for_quarantine(self, quarantine_id: str, now: datetime, cause: dict[str, Any] | None = None) -> bool:
        """Suspended by the service itself (``system``) because the registry quarantined the holder;
        ``cause`` records that quarantine decision (who decided it and why, from its event)."""
        if self.permit_type not in RESIDENT_PERMITS or quarantine_id in self.quarantine_suspensions:
            return False
        self.quarantine_suspensions.append(quarantine_id)
        if self.status != "issued" or self.valid_until is None or self.valid_until <= now:
            return False
        self._suspend_for(quarantine_id, now, cause)
        return True

    def _suspend_for(self, quarantine_id: str, now: datetime, cause: dict[str, Any] | None) -> None:
        decision = self._decide("suspended", HOLDER_QUARANTINED, None, SYSTEM, now,
                                cause={**(cause or {}), "quarantine_id": quarantine_id})
        self.status = "suspended"
        self.suspension = {"reason": HOLDER_QUARANTINED, "quarantine_id": quarantine_id, "at": now,
                           "reason_code": HOLDER_QUARANTINED, "decided_by": SYSTEM,
                           "decision_id": decision["decision_id"], "cause": decision["cause"]}
        self.pending.append(PermitSuspended(**self._holder(), reason=HOLDER_QUARANTINED, quarantine_id=quarantine_id,
                                            suspended_at=now, decided_by=SYSTEM, reason_code=HOLDER_QUARANTINED))

    def reinstate_after_quarantine(self, quarantine_id: str, now: datetime, cause: dict[str, Any] | None = None) -> bool:
        if quarantine_id in self.quarantine_releases or quarantine_id not in self.quarantine_suspensions:
            return False
        self.quarantine_releases.append(quarantine_id)
        if self.status != "suspended" or (self.suspension or {}).get("quarantine_id") != quarantine_id:
            return False
        self._restore(now, "reinstated", QUARANTINE_ENDED, None, SYSTEM, None,
                      cause={**(cause or {}), "quarantine_id": quarantine_id})
        return True

    def suspend(self, reason_code: str, note: str | None, by: str, now: datetime) -> None:
        """A manual suspension by staff (``by``), with a configured reason code and free text."""
        if self.status != "issued":
            raise Conflict(f"permit {self.permit_id} is {self.status}; only an issued permit is suspended")
        if self.valid_until is None or self.valid_until <= now:
            raise Conflict(f"permit {self.permit_id} has expired")
        decision = self._decide("suspended", reason_code, note, by, now)
        reason = reason_code if reason_code in SUSPENSION_EVENT_REASONS else "other"
        self.status = "suspended"
        self.suspension = {"reason": reason, "quarantine_id": None, "at": now, "reason_code": reason_code,
                           "note": note, "decided_by": by, "decision_id": decision["decision_id"]}
        self.pending.append(PermitSuspended(**self._holder(), reason=reason, suspended_at=now, decided_by=by,
                                            reason_code=reason_code))

    def lift_suspension(self, reason_code: str, note: str | None, by: str, now: datetime,
                        holder_quarantine_id: str | None) -> None:
        """Lift a manual suspension. If the holder is in quarantine now, it stays suspended for that quarantine."""
        if self.status != "suspended":
            raise Conflict(f"permit {self.permit_id} is {self.status}, not suspended")
        if (self.suspension or {}).get("quarantine_id"):
            raise Conflict(f"permit {self.permit_id} is suspended because its holder is in quarantine "
                           f"{self.suspension['quarantine_id']}: it is reinstated when that quarantine ends")
        self._restore(now, "lifted", reason_code, note, by, holder_quarantine_id)

    def revoke(self, reason: str, note: str | None, by: str, now: datetime) -> None:
        """Revoke for good (unless an appeal overturns it); ``reason`` is a configured reason code."""
        if self.status not in ("issued", "suspended"):
            raise Conflict(f"permit {self.permit_id} is {self.status}; only an issued or suspended permit is revoked")
        decision = self._decide("revoked", reason, note, by, now)
        event_reason = reason if reason in REVOCATION_EVENT_REASONS else "other"
        self.status = "revoked"
        self.revocation = {"reason": event_reason, "reason_code": reason, "note": note, "by": by, "decided_by": by,
                           "at": now, "decision_id": decision["decision_id"]}
        self.pending.append(PermitRevoked(**self._holder(), reason=event_reason, revoked_at=now, revoked_by=by,
                                          decided_by=by, reason_code=reason))

    # ----- appeals ------------------------------------------------------------------------

    def appeal(self, appeal_id: str) -> PermitAppeal:
        for a in self.appeals:
            if a.appeal_id == appeal_id:
                return a
        raise NotFound(f"permit {self.permit_id} has no appeal {appeal_id}")

    def file_appeal(self, appeal_id: str, channel: str, filed_by: str, statement: str | None,
                    now: datetime) -> PermitAppeal:
        """Appeal the suspension or revocation in force (by staff for the holder, or by the holder)."""
        if self.status == "revoked":
            against, decision = "revocation", self.revocation or {}
        elif self.status == "suspended":
            against, decision = "suspension", self.suspension or {}
            if decision.get("quarantine_id") and channel == "staff":
                raise Conflict(f"this suspension follows the holder's quarantine {decision['quarantine_id']}: "
                               "appeal the quarantine in the registry")
        else:
            raise Conflict(f"permit {self.permit_id} is not suspended or revoked: there is nothing to appeal")
        if any(a.is_open for a in self.appeals):
            raise Conflict(f"permit {self.permit_id} already has an appeal under review")
        decider = decision.get("decided_by") or decision.get("by") or SYSTEM
        filed = PermitAppeal(appeal_id, against, decision.get("decision_id"), [decider], channel, filed_by, now,
                             statement)
        self.appeals.append(filed)
        self.pending.append(PermitAppealFiled(**self._holder(), appeal_id=appeal_id, against=against,
                                              decision_id=filed.decision_id, channel=channel, filed_by=filed_by,
                                              filed_at=now))
        return filed

    def decide_appeal(self, appeal_id: str, overturn: bool, reason_code: str, note: str | None, by: str,
                      now: datetime, holder_quarantine_id: str | None) -> PermitAppeal:
        """The review, by someone other than the decider and the filer. Overturned, the appealed decision is
        undone if still in force: the permit is reinstated (expired if past its validity; suspended again if
        the holder is in quarantine now)."""
        target = self.appeal(appeal_id)
        current = self.revocation if target.against == "revocation" else self.suspension
        in_force = (self.status == ("revoked" if target.against == "revocation" else "suspended")
                    and (current or {}).get("decision_id") == target.decision_id)
        if overturn and in_force and (current or {}).get("quarantine_id"):
            raise Conflict("this suspension follows the holder's quarantine: only the registry can overturn it "
                           "(uphold this appeal, e.g. with reason follows_quarantine)")
        target.decide(overturn, reason_code, note, by, now)
        self.pending.append(PermitAppealDecided(**self._holder(), appeal_id=appeal_id, against=target.against,
                                                outcome=target.status, reason_code=reason_code, decided_by=by,
                                                decided_at=now))
        if overturn and in_force:
            self._restore(now, "reinstated", APPEAL_OVERTURNED, None, by, holder_quarantine_id, appeal_id=appeal_id)
        return target

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

    def _decide(self, action: str, reason_code: str, note: str | None, by: str, now: datetime,
                cause: dict[str, Any] | None = None, appeal_id: str | None = None) -> dict[str, Any]:
        decision = {"decision_id": f"{self.permit_id}.d{len(self.decisions) + 1}", "action": action,
                    "reason_code": reason_code, "note": note, "decided_by": by, "decided_at": now, "cause": cause,
                    "appeal_id": appeal_id}
        self.decisions.append(decision)
        return decision

    def _restore(self, now: datetime, action: str, reason_code: str, note: str | None, by: str,
                 holder_quarantine_id: str | None, *, cause: dict[str, Any] | None = None,
                 appeal_id: str | None = None) -> None:
        """Valid again after a suspension or revocation: reinstated, or expired, or suspended for a quarantine."""
        self._decide(action, reason_code, note, by, now, cause, appeal_id)
        assert self.valid_until is not None
        if self.valid_until <= now:
            self.status = "issued"  # so that expire applies
            self.expire(now)
            return
        self.revocation = None
        if holder_quarantine_id and self.permit_type in RESIDENT_PERMITS:
            if holder_quarantine_id not in self.quarantine_suspensions:
                self.quarantine_suspensions.append(holder_quarantine_id)
            self._suspend_for(holder_quarantine_id, now, None)
            return
        self.status, self.suspension = "issued", None
        self.pending.append(PermitReinstated(**self._holder(), valid_until=self.valid_until, reinstated_at=now,
                                             decided_by=by, reason_code=reason_code, appeal_id=appeal_id))

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
