"""Accountable quarantine decisions and appeals: who, why, reviewed by someone else."""

from datetime import date, timedelta

import pytest

from towngrid_contracts.registry import (
    AppealDecided,
    AppealFiled,
    QuarantineEnded,
    QuarantinePlannedEndChanged,
    QuarantineStarted,
)
from towngrid_kit.errors import Conflict, InvalidInput
from registry.adapters.documents import from_state, to_state
from registry.domain.decisions import DEFAULT_QUARANTINE_REASONS, NotTheDecider, ReasonCodes
from registry.domain.resident import Resident

from .residents import NOW, resident

NOTE = "neighbour 张三 saw him at the market"


def in_quarantine(by: str = "stf_start") -> Resident:
    r = resident()
    r.start_quarantine("qua_1", "home", NOW, date(2020, 2, 14), reason_code="close_contact", by=by, note=NOTE)
    return r


def test_reason_codes_come_from_the_configured_list() -> None:
    reasons = ReasonCodes(["close_contact", "other"], "quarantine")
    assert reasons.check("close_contact", None) == "close_contact"
    with pytest.raises(InvalidInput) as refused:
        reasons.check("because", None)
    assert refused.value.field == "body.reason_code" and "close_contact, other" in refused.value.detail
    with pytest.raises(InvalidInput) as no_note:
        reasons.check("other", None)
    assert no_note.value.field == "body.note"
    with pytest.raises(ValueError):
        ReasonCodes([], "quarantine")
    assert "other" in DEFAULT_QUARANTINE_REASONS


def test_each_decision_records_who_and_why_and_events_carry_no_free_text() -> None:
    r = in_quarantine()
    r.change_planned_end("qua_1", date(2020, 2, 21), "symptoms", "cough, 张三 says", "stf_ext", NOW + timedelta(days=3))
    r.change_planned_end("qua_1", date(2020, 2, 20), "my_own_code", None, "stf_ext", NOW + timedelta(days=4))
    r.end_quarantine("qua_1", NOW + timedelta(days=10), "released", reason_code="negative_test", by="stf_end",
                     note="test at county hospital")
    q = r.quarantine("qua_1")
    assert [(d.action, d.reason_code, d.decided_by) for d in q.decisions] == [
        ("started", "close_contact", "stf_start"), ("extended", "symptoms", "stf_ext"),
        ("shortened", "my_own_code", "stf_ext"), ("ended", "negative_test", "stf_end")]
    assert q.decisions[0].note == NOTE and q.decisions[3].note == "test at county hospital"
    started, changed, shortened, ended = r.pending
    assert isinstance(started, QuarantineStarted) and (started.decided_by, started.reason_code) == ("stf_start",
                                                                                                  "close_contact")
    assert isinstance(changed, QuarantinePlannedEndChanged) and changed.reason_code == "symptoms"
    assert shortened.reason == "other" and shortened.reason_code == "my_own_code", "a configured code outside the enum"
    assert isinstance(ended, QuarantineEnded) and (ended.decided_by, ended.reason_code, ended.appeal_id) == (
        "stf_end", "negative_test", None)
    for event in r.pending:
        text = event.model_dump_json()
        assert "张三" not in text and "hospital" not in text and "market" not in text
    assert from_state(to_state(r), 4).quarantines == r.quarantines


def test_the_decider_cannot_review_and_an_overturn_ends_the_quarantine() -> None:
    r = in_quarantine()
    r.change_planned_end("qua_1", date(2020, 2, 21), "symptoms", None, "stf_ext", NOW + timedelta(days=1))
    appeal = r.file_appeal("apl_1", "qua_1", "stf_officer", "I was never at the market", NOW + timedelta(days=2))
    assert appeal.deciders == ["stf_start", "stf_ext"]
    with pytest.raises(Conflict):
        r.file_appeal("apl_2", "qua_1", "stf_officer", None, NOW + timedelta(days=2))
    for who in ("stf_start", "stf_ext", "stf_officer"):
        with pytest.raises(NotTheDecider) as refused:
            r.decide_appeal("apl_1", True, "insufficient_grounds", None, who, NOW + timedelta(days=3))
        assert refused.value.status == 403 and who in refused.value.detail
    assert appeal.is_open and r.open_quarantine is not None
    r.pending.clear()
    r.decide_appeal("apl_1", True, "insufficient_grounds", "no evidence", "stf_reviewer", NOW + timedelta(days=3))
    decided, ended = r.pending
    assert isinstance(decided, AppealDecided) and decided.outcome == "overturned"
    assert (decided.decided_by, decided.reason_code) == ("stf_reviewer", "insufficient_grounds")
    assert isinstance(ended, QuarantineEnded) and ended.appeal_id == "apl_1" and ended.reason_code == "appeal_overturned"
    assert ended.decided_by == "stf_reviewer" and r.open_quarantine is None
    assert r.quarantine("qua_1").decisions[-1].appeal_id == "apl_1"
    with pytest.raises(Conflict):
        r.decide_appeal("apl_1", False, "decision_justified", None, "stf_other", NOW + timedelta(days=4))
    again = from_state(to_state(r), 7)
    assert again.appeals == r.appeals


def test_an_upheld_appeal_changes_nothing_else_and_ended_quarantines_cannot_be_appealed() -> None:
    r = in_quarantine()
    r.file_appeal("apl_1", "qua_1", "stf_officer", None, NOW + timedelta(hours=1))
    assert isinstance(r.pending[-1], AppealFiled) and r.pending[-1].appealed_deciders == ["stf_start"]
    r.decide_appeal("apl_1", False, "decision_justified", None, "stf_reviewer", NOW + timedelta(hours=2))
    assert r.appeal("apl_1").status == "upheld" and r.open_quarantine is not None
    r.file_appeal("apl_2", "qua_1", "stf_officer", None, NOW + timedelta(hours=3))  # a new appeal once decided
    r.end_quarantine("qua_1", NOW + timedelta(days=5), "released", reason_code="period_completed", by="stf_end")
    with pytest.raises(Conflict):
        r.file_appeal("apl_3", "qua_1", "stf_officer", None, NOW + timedelta(days=6))
    r.decide_appeal("apl_2", True, "new_evidence", None, "stf_reviewer", NOW + timedelta(days=6))
    assert len([e for e in r.pending if isinstance(e, QuarantineEnded)]) == 1, "already ended: no second end"
