"""A tip from a resident (an unregistered returnee, a breach) and its screening task.

The reporter's identity (if they gave one) is kept in the tip but never shown to the officers
who screen it, and never published. Plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import TipReported, TipScreened
from towngrid_kit.errors import Conflict


@dataclass
class Reporter:
    """Who reported: hidden from the officers who handle the tip."""

    name: str | None
    mobile: str | None


@dataclass
class Tip:
    tip_id: str
    kind: str
    channel: str
    compound_id: str
    description: str
    reported_at: datetime
    screening_task_id: str
    reporter: Reporter | None = None  # None: anonymous
    matched_resident_id: str | None = None  # the registered resident the tip is about, if found
    outcome: str | None = None
    outcome_resident_id: str | None = None
    outcome_note: str | None = None
    screened_by: str | None = None
    screened_at: datetime | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.outcome is None

    @classmethod
    def report(cls, tip_id: str, task_id: str, kind: str, channel: str, compound_id: str, description: str,
               reporter: Reporter | None, matched_resident_id: str | None, at: datetime) -> "Tip":
        tip = cls(tip_id, kind, channel, compound_id, description, at, task_id, reporter, matched_resident_id)
        tip.pending.append(TipReported(tip_id=tip_id, kind=kind, channel=channel, compound_id=compound_id,
                                       screening_task_id=task_id, reported_at=at))
        return tip

    def screen(self, outcome: str, resident_id: str | None, note: str | None, by: str, at: datetime) -> None:
        if not self.open:
            raise Conflict(f"tip {self.tip_id} was already screened ({self.outcome})")
        self.outcome, self.outcome_resident_id, self.outcome_note = outcome, resident_id, note
        self.screened_by, self.screened_at = by, at
        self.pending.append(TipScreened(tip_id=self.tip_id, screening_task_id=self.screening_task_id, outcome=outcome,
                                        resident_id=resident_id, screened_by=by, screened_at=at))
