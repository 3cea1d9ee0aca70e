"""Joint review: which departments review a permit type, in parallel, and the rule that decides.

Plain Python, no I/O. A policy is snapshotted into each application when it is taken, so a
later change of configuration does not change the rules of an application under way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from towngrid_kit.errors import InvalidInput

Rule = Literal["all", "quorum"]
Outcome = Literal["approved", "rejected"]
PERMIT_TYPES = ("health_certificate", "vehicle_pass", "business_reopening")


@dataclass
class ReviewPolicy:
    departments: list[str]
    rule: Rule = "all"
    quorum: int | None = None
    step_time_limit_s: int = 24 * 3600
    default_validity_days: int = 30
    max_validity_days: int = 90

    def __post_init__(self) -> None:
        if not self.departments:
            raise InvalidInput("at least one reviewing department is needed", field="body.departments")
        if len(set(self.departments)) != len(self.departments):
            raise InvalidInput("a department is listed twice", field="body.departments")
        if self.rule == "quorum":
            if self.quorum is None or not 1 <= self.quorum <= len(self.departments):
                raise InvalidInput(f"quorum must be between 1 and {len(self.departments)}", field="body.quorum")
        elif self.quorum is not None:
            raise InvalidInput("quorum is only for rule 'quorum'", field="body.quorum")
        if self.default_validity_days > self.max_validity_days:
            raise InvalidInput("default_validity_days exceeds max_validity_days", field="body.default_validity_days")

    @property
    def needed(self) -> int:
        return len(self.departments) if self.rule == "all" else int(self.quorum or 0)


DEFAULT_POLICIES: dict[str, ReviewPolicy] = {
    "health_certificate": ReviewPolicy(["health"], "all", None, 24 * 3600, 30, 90),
    "vehicle_pass": ReviewPolicy(["traffic", "epidemic_control", "community"], "quorum", 2, 24 * 3600, 14, 60),
    "business_reopening": ReviewPolicy(["market_supervision", "health", "epidemic_control"], "all", None,
                                       48 * 3600, 90, 180),
}


@dataclass
class ReviewStep:
    department: str
    due_at: datetime
    status: str = "pending"  # pending | approved | rejected | closed (not needed any more)
    reason: str | None = None
    reason_code: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    overdue: bool = False
    escalated: bool = False
    escalated_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status == "pending"


@dataclass
class Tally:
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    departments_rejecting: list[str] = field(default_factory=list)


def tally(steps: list[ReviewStep]) -> Tally:
    t = Tally()
    for s in steps:
        if s.status == "approved":
            t.approved += 1
        elif s.status == "rejected":
            t.rejected += 1
            t.departments_rejecting.append(s.department)
        elif s.status == "pending":
            t.pending += 1
    return t


def outcome(policy: ReviewPolicy, steps: list[ReviewStep]) -> Outcome | None:
    """The joint decision once the rule settles it, else None (keep waiting)."""
    t = tally(steps)
    if t.approved >= policy.needed:
        return "approved"
    if len(steps) - t.rejected < policy.needed:
        return "rejected"
    return None
