"""Care of a vulnerable resident: a helper, regular visits (a relief parcel counts), missed visits.
Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_MISSED_LOOKED_AT = 60


@dataclass
class CareVisit:
    visit_id: str
    kind: str
    visited_by: str
    visited_at: datetime
    supplies: list[str] = field(default_factory=list)
    parcel_id: str | None = None


@dataclass
class Care:
    category: str
    visit_every_days: int
    relief_every_days: int | None
    enrolled_at: datetime
    care_pair_id: str | None = None
    helper_id: str | None = None
    visits: list[CareVisit] = field(default_factory=list)
    missed: list[datetime] = field(default_factory=list)  # due times flagged as missed

    @property
    def every(self) -> timedelta:
        return timedelta(days=self.visit_every_days)

    def next_due(self) -> datetime:
        """When the next visit is due: a period after the last visit (or enrolment), past flagged ones."""
        base = max([self.enrolled_at, *(v.visited_at for v in self.visits)])
        due = base + self.every
        flagged = set(self.missed)
        for _ in range(MAX_MISSED_LOOKED_AT):
            if due not in flagged:
                break
            due += self.every
        return due
