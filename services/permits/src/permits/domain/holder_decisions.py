"""What happens to a permit's holder after issue, and who decided it: suspensions (the service's
own, following a registry quarantine, and staff's), lifting, revocation, appeals reviewed by
someone else. Plain Python, no I/O; a part of :class:`permits.domain.permit.Permit`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from towngrid_contracts.permits import (
    PermitAppealDecided,
    PermitAppealFiled,
    PermitReinstated,
    PermitRevoked,
    PermitSuspended,
)
from towngrid_kit.errors import Conflict, NotFound
from permits.domain.decisions import APPEAL_OVERTURNED, HOLDER_QUARANTINED, QUARANTINE_ENDED, SYSTEM, PermitAppeal

RESIDENT_PERMITS = ("health_certificate", "vehicle_pass")
# The codes the events' original ``reason`` fields allow; a configured code outside them is sent as ``other``
# there (and as itself in ``reason_code``).
REVOCATION_EVENT_REASONS = frozenset(get_args(PermitRevoked.model_fields["reason"].annotation))
SUSPENSION_EVENT_REASONS = frozenset(get_args(PermitSuspended.model_fields["reason"].annotation))


class HolderDecisions:
    """Methods of :class:`permits.domain.permit.Permit` (they use its fields), kept apart by concern."""

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
