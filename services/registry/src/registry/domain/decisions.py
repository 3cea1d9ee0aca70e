"""Accountable decisions about a person: who decided, why (a configured code plus free text), and
appeals reviewed by someone else. Plain Python, no I/O.

The free text (``note``, an appeal's ``statement``) may hold personal details: it stays in the
registry's file and never goes into an event; events carry the code and the opaque staff ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_kit.decisions import APPEAL_OVERTURNED, SYSTEM, NotTheDecider, ReasonCodes, ReviewedByAnother


__all__ = ["APPEAL_OVERTURNED", "SYSTEM", "NotTheDecider", "ReasonCodes", "Decision", "Appeal",
           "DEFAULT_QUARANTINE_REASONS", "DEFAULT_APPEAL_REASONS"]

DEFAULT_QUARANTINE_REASONS = (
    "returned_from_risk_area", "close_contact", "symptoms", "positive_test", "test_result", "contact_of_case",
    "policy_change", "medical_advice", "period_completed", "negative_test", "hospital_transfer",
    "error_correction", "other",
)
DEFAULT_APPEAL_REASONS = (
    "decision_justified", "insufficient_grounds", "new_evidence", "procedure_not_followed", "error_correction",
    "other",
)


@dataclass
class Decision:
    """One decision about a person's quarantine (started, extended, shortened, ended)."""

    decision_id: str
    action: str
    reason_code: str
    note: str | None
    decided_by: str
    decided_at: datetime
    appeal_id: str | None = None  # set when the decision carries out an appeal's outcome


@dataclass
class Appeal(ReviewedByAnother):
    """An appeal against a quarantine: reviewed by someone who took none of its decisions."""

    appeal_id: str
    quarantine_id: str
    filed_by: str
    filed_at: datetime
    statement: str | None
    deciders: list[str] = field(default_factory=list)
    status: str = "open"  # open | upheld | overturned
    reason_code: str | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
