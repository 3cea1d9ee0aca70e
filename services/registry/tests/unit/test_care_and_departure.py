from datetime import timedelta

import pytest

from towngrid_contracts.registry import (
    CarePaired,
    CareVisitMissed,
    CareVisitRecorded,
    ResidentLeftTown,
    VulnerableResidentEnrolled,
)
from towngrid_kit.errors import Conflict, NotFound
from registry.adapters.documents import from_state, to_state
from registry.domain.care import CareVisit

from .residents import NOW, resident


def test_enrol_pair_visit_and_missed_visits() -> None:
    r = resident()
    with pytest.raises(NotFound):
        r.pair_helper("pair_1", "stf_1", NOW)
    r.enrol_vulnerable("elderly_living_alone", 2, 7, NOW)
    with pytest.raises(Conflict):
        r.enrol_vulnerable("homeless", 2, None, NOW)
    r.pair_helper("pair_1", "stf_1", NOW)
    assert r.record_visit(CareVisit("vis_1", "home_visit", "stf_1", NOW + timedelta(days=1), ["mask"]))
    assert r.care.next_due() == NOW + timedelta(days=3)
    assert r.flag_missed_visits(NOW + timedelta(days=2)) == 0
    assert r.flag_missed_visits(NOW + timedelta(days=7, hours=1)) == 3  # due days 3, 5, 7
    assert r.flag_missed_visits(NOW + timedelta(days=7, hours=2)) == 0, "each due time flagged once"
    parcel = CareVisit("vis_rp_1", "relief_parcel", "cou_1", NOW + timedelta(days=8), ["rice"], "rp_1")
    assert r.record_visit(parcel) and not r.record_visit(parcel), "a parcel is one visit"
    assert r.care.next_due() == NOW + timedelta(days=10)
    types = [type(e) for e in r.pending]
    assert types == [VulnerableResidentEnrolled, CarePaired, CareVisitRecorded] + [CareVisitMissed] * 3 + [CareVisitRecorded]
    assert from_state(to_state(r), 8).care == r.care


def test_leaving_town_once_per_batch_stops_care_flags() -> None:
    r = resident()
    r.enrol_vulnerable("other", 1, None, NOW)
    assert r.leave_town("bat_1", "CN-GD", NOW)
    assert not r.leave_town("bat_1", "CN-GD", NOW)
    assert [type(e) for e in r.pending][-1] == ResidentLeftTown and r.pending[-1].reason == "labor_batch"
    assert r.flag_missed_visits(NOW + timedelta(days=5)) == 0 and r.care_visit_due() is None
    assert from_state(to_state(r), 3).left_town == r.left_town
