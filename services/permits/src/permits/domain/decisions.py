"""Accountable decisions about a permit's holder: who suspended, lifted, revoked or reinstated it and
why (a configured code plus free text), and appeals reviewed by someone else. Plain Python, no I/O.

The free text (``note``, an appeal's ``statement``) may hold personal details: it stays in this
service's record of the permit; events carry the code and opaque staff ids (``system`` for what
the service did by itself, e.g. a suspension that follows a registry quarantine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from towngrid_kit.errors import Conflict, DomainError, InvalidInput

SYSTEM = "system"
HOLDER = "holder"  # who filed an appeal on the public endpoint (proving possession with the permit's code)
HOLDER_QUARANTINED = "holder_quarantined"
QUARANTINE_ENDED = "quarantine_ended"
APPEAL_OVERTURNED = "appeal_overturned"

DEFAULT_DECISION_REASONS = (
    "fraud", "forged_documents", "misuse", "opening_standard_breached", "under_investigation", "holder_request",
    "investigation_closed", "error_correction", "other",
)
DEFAULT_APPEAL_REASONS = (
    "decision_justified", "insufficient_grounds", "new_evidence", "procedure_not_followed", "error_correction",
    "follows_quarantine", "other",
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
class PermitAppeal:
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

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def decide(self, overturn: bool, reason_code: str, note: str | None, by: str, at: datetime) -> None:
        if not self.is_open:
            raise Conflict(f"appeal {self.appeal_id} was already decided ({self.status} by {self.decided_by})")
        if by in self.deciders:
            raise NotTheDecider(f"{by} took the appealed {self.against}; someone else must review the appeal")
        if by == self.filed_by:
            raise NotTheDecider(f"{by} filed this appeal; someone else must review it")
        self.status = "overturned" if overturn else "upheld"
        self.reason_code, self.note, self.decided_by, self.decided_at = reason_code, note, by, at
