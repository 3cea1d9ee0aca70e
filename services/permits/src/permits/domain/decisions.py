"""Accountable decisions about a permit's holder: who suspended, lifted, revoked or reinstated it and
why (a configured code plus free text), and appeals reviewed by someone else. Plain Python, no I/O.

The free text (``note``, an appeal's ``statement``) may hold personal details: it stays in this
service's record of the permit; events carry the code and opaque staff ids (``system`` for what
the service did by itself, e.g. a suspension that follows a registry quarantine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from towngrid_kit.decisions import APPEAL_OVERTURNED, SYSTEM, NotTheDecider, ReasonCodes, ReviewedByAnother

HOLDER = "holder"  # who filed an appeal on the public endpoint (proving possession with the permit's code)
HOLDER_QUARANTINED = "holder_quarantined"
QUARANTINE_ENDED = "quarantine_ended"

__all__ = ["APPEAL_OVERTURNED", "SYSTEM", "NotTheDecider", "ReasonCodes", "PermitAppeal", "HOLDER", "HOLDER_QUARANTINED",
           "QUARANTINE_ENDED", "DEFAULT_DECISION_REASONS", "DEFAULT_APPEAL_REASONS"]

DEFAULT_DECISION_REASONS = (
    "fraud", "forged_documents", "misuse", "opening_standard_breached", "under_investigation", "holder_request",
    "investigation_closed", "error_correction", "other",
)
DEFAULT_APPEAL_REASONS = (
    "decision_justified", "insufficient_grounds", "new_evidence", "procedure_not_followed", "error_correction",
    "follows_quarantine", "other",
)


@dataclass
class PermitAppeal(ReviewedByAnother):
    """An appeal against the suspension or revocation in force when it was filed."""

    appeal_id: str
    against: str  # suspension | revocation
    decision_id: str | None
    deciders: list[str]
    channel: str  # staff | holder
    filed_by: str
    filed_at: datetime
    statement: str | None = None
    status: str = "open"  # open | upheld | overturned
    reason_code: str | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
