from datetime import datetime, timedelta, timezone

import pytest

from towngrid_contracts.registry import CheckpointCoverageGapDetected, CheckpointCoverageRestored
from towngrid_kit.errors import Conflict, InvalidInput
from registry.adapters.duty_repository import coverage_from, coverage_state
from registry.domain.duty import CheckpointCoverage, DutyPerson, Shift, coverage

CST = timezone(timedelta(hours=8))
NOW = datetime(2020, 2, 1, 9, 30, tzinfo=CST)  # in the 08-16 slot
DAY = datetime(2020, 2, 1, tzinfo=CST)


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def test_one_persons_shifts_never_overlap() -> None:
    p = DutyPerson.register("stf_1", "王五", None, "volunteer", "compound", "C01-001", NOW)
    p.schedule(Shift("s1", "CP-C01-001", at(8), at(16)))
    with pytest.raises(Conflict):
        p.schedule(Shift("s2", "CP-C01-002", at(15), at(20)))  # another checkpoint, same person
    p.schedule(Shift("s3", "CP-C01-002", at(16), at(24)))  # back to back is fine
    with pytest.raises(InvalidInput):
        p.schedule(Shift("s4", "CP-C01-001", at(30), at(30)))
    with pytest.raises(InvalidInput):
        p.schedule(Shift("s5", "CP-C01-001", at(30), at(55)))
    assert "王五" not in "".join(e.model_dump_json() for e in p.pending)


def test_coverage_by_slot_counts_the_fewest_on_duty() -> None:
    shifts = [Shift("a", "CP", at(8), at(16)), Shift("b", "CP", at(16), at(20)), Shift("c", "CP", at(20), at(24))]
    found = coverage(shifts, NOW, 1, CST)
    assert [(s.slot_start, s.rostered) for s in found] == [(at(8), 1), (at(16), 1), (at(24), 0), (at(32), 0)]


def test_gaps_raised_once_and_restored_once() -> None:
    c = CheckpointCoverage("CP-C01-001", "C01-001", "C01")
    shifts = [Shift("a", "CP", at(8), at(16))]
    assert c.assess(coverage(shifts, NOW, 1, CST), 1, NOW) == (3, 0)
    assert c.assess(coverage(shifts, NOW, 1, CST), 1, NOW) == (0, 0), "nothing new"
    shifts.append(Shift("b", "CP", at(16), at(24)))
    assert c.assess(coverage(shifts, NOW, 1, CST), 1, NOW) == (0, 1)
    gaps = [e for e in c.pending if isinstance(e, CheckpointCoverageGapDetected)]
    assert [e.shift_start for e in gaps] == [at(16), at(24), at(32)]
    assert isinstance(c.pending[-1], CheckpointCoverageRestored) and c.pending[-1].shift_start == at(16)
    later = at(25)
    assert c.assess(coverage(shifts, later, 1, CST), 1, later) == (2, 0)  # two new slots came into view
    assert coverage_from(coverage_state(c), 4).open_gaps == c.open_gaps
