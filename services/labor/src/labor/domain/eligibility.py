"""Whether a resident may work away or be dispatched: a valid health certificate and no quarantine.

Plain Python over what the projections know (from the permits' and the registry's events);
``valid_until`` is checked against ``now`` at read time, so a certificate that ran out with
no event is already invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_kit.errors import Conflict

VALID_STATUSES = frozenset({"issued", "reinstated"})
IN_QUARANTINE = "in_quarantine"
NO_CERTIFICATE = "no_valid_health_certificate"


class NotEligible(Conflict):
    """A worker who may not be matched or join a batch now; ``detail`` says why (for staff)."""

    def __init__(self, who: str, eligibility: Eligibility) -> None:
        super().__init__(f"{who} is not eligible: {'; '.join(eligibility.details)}")
        self.who = who

    def for_employer(self) -> Conflict:
        """The same refusal without why: a quarantine or a certificate is not the employer's to know."""
        return Conflict(f"{self.who} is not eligible now")


@dataclass(frozen=True)
class Certificate:
    permit_id: str
    status: str  # issued, suspended, reinstated, revoked, expired
    valid_from: datetime | None
    valid_until: datetime | None

    def valid_at(self, now: datetime) -> bool:
        if self.status not in VALID_STATUSES or self.valid_until is None:
            return False
        return (self.valid_from is None or self.valid_from <= now) and now < self.valid_until


@dataclass(frozen=True)
class Eligibility:
    resident_id: str
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    certificate_id: str | None = None
    certificate_valid_until: datetime | None = None
    in_quarantine: bool = False


def evaluate(resident_id: str, in_quarantine: bool, certificates: list[Certificate], now: datetime) -> Eligibility:
    reasons: list[str] = []
    details: list[str] = []
    valid = sorted((c for c in certificates if c.valid_at(now)), key=lambda c: c.valid_until, reverse=True)
    if in_quarantine:
        reasons.append(IN_QUARANTINE)
        details.append("in quarantine (registry)")
    if not valid:
        reasons.append(NO_CERTIFICATE)
        if not certificates:
            details.append("no health certificate known (permits)")
        for c in certificates:
            state = c.status
            if c.status in VALID_STATUSES and c.valid_until is not None and c.valid_until <= now:
                state = f"past its valid_until {c.valid_until.isoformat()}"
            elif c.status in VALID_STATUSES and c.valid_from is not None and c.valid_from > now:
                state = f"not valid before {c.valid_from.isoformat()}"
            details.append(f"health certificate {c.permit_id}: {state}")
    best = valid[0] if valid else None
    return Eligibility(
        resident_id=resident_id, eligible=not reasons, reasons=reasons, details=details,
        certificate_id=best.permit_id if best else None,
        certificate_valid_until=best.valid_until if best else None, in_quarantine=in_quarantine,
    )
