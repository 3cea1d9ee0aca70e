from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from towngrid_contracts.registry import CloseContactLinked, HealthCheckMissed, QuarantinePlannedEndChanged
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.adapters.documents import from_state, to_state
from registry.domain.resident import HealthCheck, Person, Resident

CST = timezone(timedelta(hours=8))
START = datetime(2020, 2, 1, 10, 0, tzinfo=CST)  # local day 2020-02-01


def resident(rid: str = "res_1") -> Resident:
    return Resident(rid, Person("11010519491231002X", "张三", "13800138000", "x"), "hh_1", "C01-001")


def test_extend_and_shorten_with_reason() -> None:
    r = resident()
    r.start_quarantine("q1", "home", START, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    r.change_planned_end("q1", date(2020, 2, 21), "symptoms", "cough since Monday", "stf_1", START + timedelta(days=5))
    r.change_planned_end("q1", date(2020, 2, 18), "test_result", None, "stf_2", START + timedelta(days=6))
    changed = [e for e in r.pending if isinstance(e, QuarantinePlannedEndChanged)]
    assert [(e.previous_planned_end, e.planned_end, e.extended) for e in changed] == [
        (date(2020, 2, 14), date(2020, 2, 21), True), (date(2020, 2, 21), date(2020, 2, 18), False)]
    assert "cough" not in changed[0].model_dump_json(), "the note stays in the registry"
    assert r.quarantine("q1").planned_end == date(2020, 2, 18)
    with pytest.raises(InvalidInput):
        r.change_planned_end("q1", date(2020, 1, 1), "other", None, "stf_1", START)
    with pytest.raises(InvalidInput):
        r.change_planned_end("q1", date(2020, 2, 18), "other", None, "stf_1", START)
    r.end_quarantine("q1", START + timedelta(days=10), "released", reason_code="period_completed", by="stf_1")
    with pytest.raises(Conflict):
        r.change_planned_end("q1", date(2020, 2, 28), "other", None, "stf_1", START)


def test_missed_days_flagged_once_and_checked_days_not() -> None:
    r = resident()
    r.start_quarantine("q1", "home", START, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    assert r.check_deadline(CST) == datetime(2020, 2, 3, 0, 0, tzinfo=CST), "the start day needs no check"
    r.record_health_check("q1", HealthCheck("c1", 36.5, [], "stf_1", datetime(2020, 2, 3, 9, 0, tzinfo=CST)))
    assert r.flag_missed_checks(datetime(2020, 2, 2, 23, 59, tzinfo=CST), CST) == 0
    now = datetime(2020, 2, 5, 8, 0, tzinfo=CST)
    assert r.flag_missed_checks(now, CST) == 2
    assert [e.day for e in r.pending if isinstance(e, HealthCheckMissed)] == [date(2020, 2, 2), date(2020, 2, 4)]
    assert r.flag_missed_checks(now, CST) == 0, "flagged once"
    assert r.check_deadline(CST) == datetime(2020, 2, 6, 0, 0, tzinfo=CST)
    again = from_state(to_state(r), 9)
    assert again.quarantines == r.quarantines
    r.end_quarantine("q1", now, "released", reason_code="period_completed", by="stf_1")
    assert r.check_deadline(CST) is None and r.flag_missed_checks(now + timedelta(days=3), CST) == 0


def test_close_contacts() -> None:
    case = resident("res_case")
    now = datetime(2020, 2, 10, 9, 0, tzinfo=UTC)
    case.link_contact("lnk_1", "res_b", date(2020, 2, 8), "stf_1", now)
    assert isinstance(case.pending[-1], CloseContactLinked) and case.pending[-1].contact_resident_id == "res_b"
    with pytest.raises(Conflict):
        case.link_contact("lnk_2", "res_b", date(2020, 2, 8), "stf_1", now)
    with pytest.raises(InvalidInput):
        case.link_contact("lnk_3", "res_case", date(2020, 2, 8), "stf_1", now)
    with pytest.raises(InvalidInput):
        case.link_contact("lnk_4", "res_c", date(2020, 3, 1), "stf_1", now)
    with pytest.raises(NotFound):
        case.contact("res_c")
    contact = resident("res_b")
    contact.start_quarantine("q2", "centralized", now, date(2020, 2, 24), contact_of="res_case", reason_code="close_contact", by="stf_1")
    assert contact.pending[-1].contact_of_resident_id == "res_case"
    assert from_state(to_state(case), 2).contacts == case.contacts
