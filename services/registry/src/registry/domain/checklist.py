"""A returnee's follow-up checklist (the "eight ones"): items due by a time, ticked with who and
when; an item not done in time is overdue and escalates one grid level up each further period.
Plain Python, no I/O: the resident aggregate records the events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class ChecklistItem:
    code: str
    title: str
    due_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    escalations: int = 0  # overdue events raised so far: the k-th went to level chain[k-1]

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass
class Checklist:
    checklist_id: str
    opened_at: datetime
    escalation_period: timedelta
    chain: list[tuple[str, str]]  # (level, unit id): group → compound → community → town
    items: list[ChecklistItem] = field(default_factory=list)
    completed_at: datetime | None = None

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)

    def overdue_levels_due(self, item: ChecklistItem, now: datetime) -> range:
        """Escalation steps (indexes into ``chain``) that ``now`` has reached and that were not raised yet."""
        if item.done or now < item.due_at:
            return range(0)
        periods = int((now - item.due_at) / self.escalation_period)
        reached = min(periods, len(self.chain) - 1)
        return range(item.escalations, reached + 1)

    def next_due(self) -> datetime | None:
        """When the next overdue step falls due (None when nothing more can escalate)."""
        times = [i.due_at + self.escalation_period * i.escalations
                 for i in self.items if not i.done and i.escalations < len(self.chain)]
        return min(times) if times else None
