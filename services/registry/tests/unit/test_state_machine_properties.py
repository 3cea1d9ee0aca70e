"""Properties (Hypothesis state machines): whatever admissions, discharges and cleanings an
isolation site gets, no room holds more people than its capacity, nobody is admitted to a room
that awaits cleaning, a resident is admitted at most once at a time; whatever quarantine commands
a resident gets, at most one quarantine is open and an ended one never changes. A refused command
changes nothing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from towngrid_kit.errors import DomainError
from registry.domain.isolation import IsolationSite

from .residents import resident

T0 = datetime(2020, 2, 10, 8, 0, tzinfo=UTC)
ROOMS = ["r1", "r2", "r3"]
RESIDENTS = [f"res_{i}" for i in range(6)]


def attempted(subject: object, what: str, command, at: datetime) -> bool:  # noqa: ANN001
    """Run ``command(at)`` on ``subject``: True when done; False when refused, and then the subject
    must be as it was."""
    before = copy.deepcopy(subject)
    try:
        command(at)
    except DomainError:
        assert subject == before, f"a refused command changed the {what}"
        return False
    return True


class SiteMachine(RuleBasedStateMachine):
    admissions = Bundle("admissions")

    @initialize(capacities=st.lists(st.integers(1, 3), min_size=1, max_size=len(ROOMS)))
    def set_up(self, capacities: list[int]) -> None:
        self.site = IsolationSite("site_1")
        self.clock = T0
        for room_id, capacity in zip(ROOMS, capacities):
            self.site.add_room("z1", room_id, capacity, T0)
        self.counter = 0

    def attempt(self, command) -> bool:  # noqa: ANN001
        self.clock += timedelta(minutes=5)
        return attempted(self.site, "site", command, self.clock)

    @rule(target=admissions, rid=st.sampled_from(RESIDENTS), room=st.one_of(st.none(), st.sampled_from(ROOMS)))
    def admit(self, rid: str, room: str | None) -> str:
        self.counter += 1
        admission_id = f"adm_{self.counter}"
        dirty = {r.room_id for r in self.site.rooms.values() if r.needs_cleaning}
        full = {r.room_id for r in self.site.rooms.values() if r.free <= 0}
        if self.attempt(lambda at: self.site.admit(admission_id, rid, f"qua_{rid}", room, at)):
            placed = self.site.admissions[admission_id].room_id
            assert placed not in dirty and placed not in full
            assert room is None or placed == room
        return admission_id

    @rule(admission_id=admissions)
    def discharge(self, admission_id: str) -> None:
        self.attempt(lambda at: self.site.discharge(admission_id, at))

    @rule(admission_id=admissions)
    def discharge_before_admission(self, admission_id: str) -> None:
        self.attempt(lambda at: self.site.discharge(admission_id, T0 - timedelta(days=1)))

    @rule(room=st.sampled_from(ROOMS))
    def clean(self, room: str) -> None:
        self.attempt(lambda at: self.site.record_cleaning(room, "stf_cleaner", at))

    @invariant()
    def no_room_over_capacity(self) -> None:
        for room in self.site.rooms.values():
            assert 0 <= len(room.occupants) <= room.capacity

    @invariant()
    def occupants_are_the_current_admissions(self) -> None:
        for room in self.site.rooms.values():
            current = sorted(a.admission_id for a in self.site.admissions.values()
                             if a.current and a.room_id == room.room_id)
            assert sorted(room.occupants) == current

    @invariant()
    def one_current_admission_per_resident(self) -> None:
        current = [a.resident_id for a in self.site.admissions.values() if a.current]
        assert len(current) == len(set(current))


TestSiteMachine = SiteMachine.TestCase
TestSiteMachine.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)


class QuarantineMachine(RuleBasedStateMachine):
    """A resident's quarantines: at most one open at a time; an ended one never reopens or changes."""

    quarantine_ids = Bundle("quarantine_ids")

    @initialize()
    def register(self) -> None:
        self.resident = resident()
        self.clock = T0
        self.counter = 0
        self.ended: dict[str, object] = {}

    def attempt(self, command) -> bool:  # noqa: ANN001
        self.clock += timedelta(hours=6)
        return attempted(self.resident, "resident", command, self.clock)

    @rule(target=quarantine_ids, kind=st.sampled_from(["home", "centralized"]), days=st.integers(-2, 21))
    def start(self, kind: str, days: int) -> str:
        self.counter += 1
        qid = f"qua_{self.counter}"
        was_open = self.resident.open_quarantine is not None
        started = self.attempt(lambda at: self.resident.start_quarantine(
            qid, kind, at, (at + timedelta(days=days)).date(), reason_code="returned_from_hubei", by="stf_1"))
        assert started == (not was_open and days >= 0)
        return qid

    @rule(qid=quarantine_ids, days=st.integers(-2, 28))
    def change_planned_end(self, qid: str, days: int) -> None:
        self.attempt(lambda at: self.resident.change_planned_end(qid, (at + timedelta(days=days)).date(), "extended",
                                                                 None, "stf_1", at))

    @rule(qid=quarantine_ids, outcome=st.sampled_from(["released", "hospitalized", "transferred"]))
    def end(self, qid: str, outcome: str) -> None:
        if self.attempt(lambda at: self.resident.end_quarantine(qid, at, outcome, reason_code="completed",
                                                                by="stf_1")):
            self.ended[qid] = copy.deepcopy(self.resident.quarantine(qid))

    @invariant()
    def at_most_one_open_quarantine(self) -> None:
        assert sum(1 for q in self.resident.quarantines if q.is_open) <= 1

    @invariant()
    def an_ended_quarantine_stays_as_it_ended(self) -> None:
        for qid, ended in self.ended.items():
            assert self.resident.quarantine(qid) == ended

    @invariant()
    def planned_end_never_before_the_start(self) -> None:
        assert all(q.planned_end >= q.started_at.date() for q in self.resident.quarantines)


TestQuarantineMachine = QuarantineMachine.TestCase
TestQuarantineMachine.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)
