from datetime import UTC, datetime, timedelta

import pytest

from towngrid_contracts.registry import IsolationAdmitted, IsolationDischarged, IsolationRoomCleaned
from towngrid_kit.errors import Conflict, InvalidInput
from registry.adapters.isolation_repository import from_state, to_state
from registry.domain.isolation import IsolationSite

NOW = datetime(2020, 2, 3, 8, 0, tzinfo=UTC)


def site() -> IsolationSite:
    s = IsolationSite("iso_1")
    s.add_room("A", "A-101", 1, NOW)
    s.add_room("A", "A-102", 2, NOW)
    return s


def test_never_over_capacity() -> None:
    s = site()
    s.admit("adm_1", "res_1", "q1", "A-101", NOW)
    with pytest.raises(Conflict, match="full"):
        s.admit("adm_2", "res_2", "q2", "A-101", NOW)
    s.admit("adm_2", "res_2", "q2", None, NOW)
    s.admit("adm_3", "res_3", "q3", None, NOW)
    with pytest.raises(Conflict, match="no clean room"):
        s.admit("adm_4", "res_4", "q4", None, NOW)
    with pytest.raises(Conflict, match="already admitted"):
        s.admit("adm_5", "res_1", "q1", None, NOW)
    with pytest.raises(InvalidInput):
        s.admit("adm_6", "res_6", "q6", "Z-999", NOW)
    assert all(len(r.occupants) <= r.capacity for r in s.rooms.values())


def test_cleaned_before_the_next_person() -> None:
    s = site()
    s.admit("adm_1", "res_1", "q1", "A-101", NOW)
    s.discharge("adm_1", NOW + timedelta(days=14))
    with pytest.raises(Conflict, match="cleaned"):
        s.admit("adm_2", "res_2", "q2", "A-101", NOW)
    with pytest.raises(Conflict):
        s.discharge("adm_1", NOW + timedelta(days=15))
    s.record_cleaning("A-101", "stf_1", NOW + timedelta(days=14, hours=2))
    s.admit("adm_2", "res_2", "q2", "A-101", NOW + timedelta(days=14, hours=3))
    types = [type(e) for e in s.pending][2:]
    assert types == [IsolationAdmitted, IsolationDischarged, IsolationRoomCleaned, IsolationAdmitted]
    again = from_state(to_state(s), 7)
    assert again.rooms == s.rooms and again.admissions == s.admissions
