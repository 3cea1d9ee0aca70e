"""Accountable decisions about a person: who decided, why (a configured code plus free text), and
appeals reviewed by someone else. Plain Python, no I/O.

The free text (``note``, an appeal's ``statement``) may hold personal details: it stays in the
registry's file and never goes into an event; events carry the code and the opaque staff ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_kit.errors import Conflict, DomainError, InvalidInput

SYSTEM = "system"
APPEAL_OVERTURNED = "appeal_overturned"  # the reason of an end that an overturned appeal caused (not configurable)

DEFAULT_QUARANTINE_REASONS = (
    "returned_from_risk_area", "close_contact", "symptoms", "positive_test", "test_result", "contact_of_case",
    "policy_change", "medical_advice", "period_completed", "negative_test", "hospital_transfer",
    "error_correction", "other",
)
DEFAULT_APPEAL_REASONS = (
    "decision_justified", "insufficient_grounds", "new_evidence", "procedure_not_followed", "error_correction",
    "other",
)


class NotTheDecider(DomainError):
    """The caller may not review this appeal: they took the appealed decision, or filed the appeal."""

    status = 403
    title = "Forbidden"


class ReasonCodes:
    """A configured list of reason codes; ``other`` (when listed) needs a free-text note."""

    def __init__(self, codes: list[str] | tuple[str, ...], what: str) -> None:
        if not codes:
            raise ValueError(f"the list of {what} reasons is empty")
        self.codes = tuple(codes)
        self._what = what

    def check(self, code: str, note: str | None, field_name: str = "body.reason_code") -> str:
        if code not in self.codes:
            raise InvalidInput(f"reason_code {code!r} is not one of the {self._what} reasons: "
                               f"{', '.join(self.codes)}", field=field_name)
        if code == "other" and not note:
            raise InvalidInput("reason_code other needs a note saying why", field="body.note")
        return code


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
class Appeal:
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

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def decide(self, overturn: bool, reason_code: str, note: str | None, by: str, at: datetime) -> None:
        if not self.is_open:
            raise Conflict(f"appeal {self.appeal_id} was already decided ({self.status} by {self.decided_by})")
        if by in self.deciders:
            raise NotTheDecider(f"{by} took a decision this appeal is against; someone else must review it")
        if by == self.filed_by:
            raise NotTheDecider(f"{by} filed this appeal; someone else must review it")
        if at < self.filed_at:
            raise InvalidInput("the decision is before the appeal was filed", field="body.decided_at")
        self.status = "overturned" if overturn else "upheld"
        self.reason_code, self.note, self.decided_by, self.decided_at = reason_code, note, by, at
