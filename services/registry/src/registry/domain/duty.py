"""Duty rosters for the checkpoints: people on duty, their shifts, and 24-hour coverage.

A person's shifts live in that person's aggregate, so "no overlapping shifts for one person"
holds under concurrency. A checkpoint's coverage is assessed in fixed 8-hour slots (local
00-08, 08-16, 16-24): a slot is a gap when, at some moment of it, fewer people are on duty than
required. The checkpoint's coverage aggregate remembers its open gaps, so each gap is raised
once and its end is announced once. Plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import (
    CheckpointCoverageGapDetected,
    CheckpointCoverageRestored,
    DutyPersonRegistered,
    DutyShiftScheduled,
)
from towngrid_kit.errors import Conflict, InvalidInput

SLOT = timedelta(hours=8)
MAX_SHIFT = timedelta(hours=24)


@dataclass
class Shift:
    shift_id: str
    checkpoint_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class DutyPerson:
    person_id: str
    name: str
    mobile: str | None
    kind: str
    unit_level: str
    unit_id: str
    version: int = 0
    shifts: list[Shift] = field(default_factory=list)
    pending: list[EventData] = field(default_factory=list)
    community_id: str | None = None  # the unit's place in the grid (None: the town); see domain/places.py
    compound_id: str | None = None

    @classmethod
    def register(cls, person_id: str, name: str, mobile: str | None, kind: str, unit_level: str, unit_id: str,
                 at: datetime, community_id: str | None = None, compound_id: str | None = None) -> "DutyPerson":
        person = cls(person_id, name, mobile, kind, unit_level, unit_id, community_id=community_id,
                     compound_id=compound_id)
        person.pending.append(DutyPersonRegistered(duty_person_id=person_id, kind=kind, unit_level=unit_level,
                                                   unit_id=unit_id, registered_at=at))
        return person

    def schedule(self, shift: Shift) -> Shift:
        if shift.ends_at <= shift.starts_at:
            raise InvalidInput("ends_at must be after starts_at", field="body.ends_at")
        if shift.ends_at - shift.starts_at > MAX_SHIFT:
            raise InvalidInput("a shift is at most 24 hours", field="body.ends_at")
        for other in self.shifts:
            if shift.starts_at < other.ends_at and other.starts_at < shift.ends_at:
                raise Conflict(f"overlaps shift {other.shift_id} at {other.checkpoint_id} "
                               f"({other.starts_at.isoformat()} to {other.ends_at.isoformat()})")
        self.shifts.append(shift)
        self.pending.append(DutyShiftScheduled(duty_person_id=self.person_id, shift_id=shift.shift_id,
                                               checkpoint_id=shift.checkpoint_id, starts_at=shift.starts_at,
                                               ends_at=shift.ends_at))
        return shift


@dataclass(frozen=True)
class SlotCoverage:
    slot_start: datetime
    slot_end: datetime
    rostered: int  # the fewest people on duty at any moment of the (remaining) slot


def slots(now: datetime, days: int, tz: timezone) -> list[tuple[datetime, datetime]]:
    """The 8-hour slots from the one in progress until ``days`` ahead (local 00, 08, 16)."""
    local = now.astimezone(tz)
    first = datetime.combine(local.date(), time(0), tzinfo=tz) + SLOT * (local.hour // 8)
    return [(first + SLOT * i, first + SLOT * (i + 1)) for i in range(days * 3 + 1)]


def coverage(shifts: list[Shift], now: datetime, days: int, tz: timezone) -> list[SlotCoverage]:
    """How many people are on duty, at the least, in each slot (only its part from ``now`` counts)."""
    found = []
    for start, end in slots(now, days, tz):
        lo = max(start, now)
        inside = [s for s in shifts if s.starts_at < end and s.ends_at > lo]
        moments = sorted({lo, *(s.starts_at for s in inside if s.starts_at > lo),
                          *(s.ends_at for s in inside if s.ends_at < end)})
        least = min(sum(1 for s in inside if s.starts_at <= m < s.ends_at) for m in moments)
        found.append(SlotCoverage(start, end, least))
    return found


@dataclass
class CheckpointCoverage:
    checkpoint_id: str
    compound_id: str
    community_id: str
    version: int = 0
    open_gaps: dict[datetime, tuple[datetime, int]] = field(default_factory=dict)  # slot start → (end, rostered)
    pending: list[EventData] = field(default_factory=list)

    def assess(self, slots_now: list[SlotCoverage], required: int, now: datetime) -> tuple[int, int]:
        """Raise a gap for each newly uncovered slot, a restoration for each gap now covered.

        Slots already over are forgotten without an event. Returns (detected, restored).
        """
        detected = restored = 0
        current = {s.slot_start: s for s in slots_now}
        for start, (end, _) in sorted(self.open_gaps.items()):
            if end <= now:
                del self.open_gaps[start]
            elif start in current and current[start].rostered >= required:
                del self.open_gaps[start]
                self.pending.append(CheckpointCoverageRestored(
                    checkpoint_id=self.checkpoint_id, compound_id=self.compound_id, shift_start=start, shift_end=end,
                    rostered_staff=current[start].rostered, restored_at=now))
                restored += 1
        for slot in slots_now:
            if slot.rostered < required and slot.slot_start not in self.open_gaps:
                self.open_gaps[slot.slot_start] = (slot.slot_end, slot.rostered)
                self.pending.append(CheckpointCoverageGapDetected(
                    checkpoint_id=self.checkpoint_id, compound_id=self.compound_id, community_id=self.community_id,
                    shift_start=slot.slot_start, shift_end=slot.slot_end, required_staff=required,
                    rostered_staff=slot.rostered, detected_at=now))
                detected += 1
        return detected, restored
