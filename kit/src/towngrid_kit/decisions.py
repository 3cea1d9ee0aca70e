"""What every accountable decision shares, whichever service takes it: a configured reason code
(``other`` needs a note), ``system`` as the decider of what a service did by itself, and an
appeal reviewed by someone who neither took a decision it is against nor filed it.

Plain Python, no I/O: the services' domains use it as their own rules.
"""

from __future__ import annotations

from datetime import datetime

from towngrid_kit.errors import Conflict, DomainError, InvalidInput

SYSTEM = "system"
APPEAL_OVERTURNED = "appeal_overturned"  # the reason of what an overturned appeal undid (not configurable)


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


class ReviewedByAnother:
    """The review of an appeal, for a dataclass with ``appeal_id``, ``filed_by``, ``filed_at``,
    ``deciders`` (who took the decisions it is against), ``status`` (open | upheld | overturned),
    ``reason_code``, ``note``, ``decided_by`` and ``decided_at``."""

    appeal_id: str
    filed_by: str
    filed_at: datetime
    deciders: list[str]
    status: str
    reason_code: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None

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
