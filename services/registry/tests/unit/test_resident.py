from datetime import date, datetime, timedelta

import pytest

from towngrid_contracts.registry import (
    FeverAlertRaised,
    HealthCheckRecorded,
    QuarantineEnded,
    QuarantineStarted,
    ResidentReturned,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.domain.resident import HealthCheck, Person, ReturnRecord

from .residents import NOW, resident


def a_return(city: str = "武汉市") -> ReturnRecord:
    return ReturnRecord("湖北省", city, True, "train", date(2020, 1, 25), NOW)


def check(t: float, at: datetime = NOW + timedelta(hours=1), check_id: str = "chk_1") -> HealthCheck:
    return HealthCheck(check_id, t, [], "staff_1", at)


def test_first_return_then_re_registration() -> None:
    r = resident()
    r.register_return(a_return())
    r.register_return(a_return("孝感市"))
    first, second = r.pending
    assert isinstance(first, ResidentReturned) and first.re_registration is False
    assert second.re_registration is True and second.origin_city == "孝感市"
    assert "11010519491231002X" not in first.model_dump_json() and "13800138000" not in first.model_dump_json()


def test_re_registration_names_what_changed_and_keeps_the_earlier_values() -> None:
    r = resident()
    r.register_return(a_return(), Person("11010519491231002X", "李四", "13900139000", "elsewhere"))
    assert r.person.name == "张三", "a first registration changes nothing it did not create"
    same = r.register_return(a_return(), Person("11010519491231002X", "张三", "13800138000", "somewhere"))
    assert same == [] and r.person.earlier == []
    later = NOW + timedelta(days=1)
    changed = r.register_return(ReturnRecord("湖北省", "孝感市", True, "car", date(2020, 1, 30), later),
                                Person("11010519491231002X", "张三", "13900139000", "elsewhere"))
    assert changed == ["mobile", "address"]
    assert (r.person.name, r.person.mobile, r.person.address) == ("张三", "13900139000", "elsewhere")
    assert [(e.replaced_at, e.values) for e in r.person.earlier] == [
        (later, {"mobile": "13800138000", "address": "somewhere"})]
    r.register_return(a_return(), Person("11010519491231002X", "张叁", "13900139000", "elsewhere"))
    assert [e.values for e in r.person.earlier] == [{"mobile": "13800138000", "address": "somewhere"}, {"name": "张三"}]
    events = r.pending
    assert [e.changed_fields for e in events] == [None, [], ["mobile", "address"], ["name"]]
    assert "13800138000" not in events[2].model_dump_json(), "names of fields only, never values"
    assert [e.values for e in r.person.earlier_of(["address"])] == [{"address": "somewhere"}, {"name": "张三"}]
    assert [e.values for e in r.person.earlier_of(["national_id"])] == [{"name": "张三"}]


def test_a_registration_publishes_the_hash_of_its_holder_key_only() -> None:
    r = resident()
    r.register_return(a_return(), holder_key_sha256="ab" * 32)
    r.register_return(a_return(), holder_key_sha256="cd" * 32)
    assert [e.holder_key_sha256 for e in r.pending] == ["ab" * 32, "cd" * 32], "each registration's key replaces"


def test_quarantine_start_check_fever_end() -> None:
    r = resident()
    q = r.start_quarantine("qua_1", "home", NOW, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    r.record_health_check("qua_1", check(36.8, check_id="chk_1"))
    r.record_health_check("qua_1", check(37.3, check_id="chk_2"))
    r.end_quarantine("qua_1", NOW + timedelta(days=14), "released", reason_code="period_completed", by="stf_1")
    assert [type(e) for e in r.pending] == [
        QuarantineStarted, HealthCheckRecorded, HealthCheckRecorded, FeverAlertRaised, QuarantineEnded,
    ]
    assert r.pending[3].check_id == "chk_2"
    assert not q.is_open and r.open_quarantine is None and q.outcome == "released"


def test_fever_threshold_is_37_3() -> None:
    r = resident()
    r.start_quarantine("qua_1", "home", NOW, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    r.record_health_check("qua_1", check(37.2))
    assert not any(isinstance(e, FeverAlertRaised) for e in r.pending)


def test_at_most_one_open_quarantine() -> None:
    r = resident()
    r.start_quarantine("qua_1", "home", NOW, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    with pytest.raises(Conflict):
        r.start_quarantine("qua_2", "centralized", NOW, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    r.end_quarantine("qua_1", NOW + timedelta(days=1), "released", reason_code="period_completed", by="stf_1")
    r.start_quarantine("qua_2", "centralized", NOW + timedelta(days=2), date(2020, 2, 20), reason_code="close_contact", by="stf_1")
    assert r.open_quarantine.quarantine_id == "qua_2"


def test_illegal_transitions_are_refused() -> None:
    r = resident()
    with pytest.raises(NotFound):
        r.record_health_check("qua_x", check(36.5))
    with pytest.raises(InvalidInput):
        r.start_quarantine("qua_1", "home", NOW, date(2020, 1, 1), reason_code="close_contact", by="stf_1")
    r.start_quarantine("qua_1", "home", NOW, date(2020, 2, 14), reason_code="close_contact", by="stf_1")
    with pytest.raises(InvalidInput):
        r.record_health_check("qua_1", check(36.5, at=NOW - timedelta(days=1)))
    r.end_quarantine("qua_1", NOW + timedelta(days=1), "released", reason_code="period_completed", by="stf_1")
    with pytest.raises(Conflict):
        r.end_quarantine("qua_1", NOW + timedelta(days=2), "released", reason_code="period_completed", by="stf_1")
    with pytest.raises(Conflict):
        r.record_health_check("qua_1", check(36.5))
    assert len([e for e in r.pending if isinstance(e, QuarantineEnded)]) == 1
