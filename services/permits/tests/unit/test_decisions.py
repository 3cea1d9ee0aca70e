"""Accountable permit decisions (who, why) and appeals reviewed by someone other than the decider."""

from datetime import timedelta

import pytest

from towngrid_contracts.permits import (
    PermitAppealDecided,
    PermitAppealFiled,
    PermitExpired,
    PermitReinstated,
    PermitRevoked,
    PermitSuspended,
)
from towngrid_kit.errors import Conflict, InvalidInput
from permits.adapters.documents import from_state, to_state
from permits.domain.decisions import NotTheDecider, ReasonCodes
from permits.domain.permit import Permit
from permits.domain.review import ReviewPolicy

from .applications import HOUR, NOW, apply

NOTE = "holder 李四 lent the pass to his cousin"


def issued(days: int = 30) -> Permit:
    p = apply("vehicle_pass", ReviewPolicy(["traffic"]), until=NOW + timedelta(days=days))
    p.decide("traffic", approve=True, reason=None, reason_code=None, decided_by="stf_rev", now=NOW,
             escalated=False, holder_in_quarantine=False)
    p.pending.clear()
    return p


def no_free_text(p: Permit) -> None:
    for event in p.pending:
        assert "李四" not in event.model_dump_json() and "cousin" not in event.model_dump_json()


def test_reason_codes_are_checked_against_the_configured_list() -> None:
    reasons = ReasonCodes(["misuse", "other"], "decision")
    with pytest.raises(InvalidInput) as refused:
        reasons.check("fraud", None)
    assert "misuse, other" in refused.value.detail and refused.value.field == "body.reason_code"
    with pytest.raises(InvalidInput):
        reasons.check("other", None)


def test_manual_suspension_and_lifting_record_who_and_why() -> None:
    p = issued()
    p.suspend("misuse", NOTE, "stf_a", NOW + HOUR)
    assert p.status == "suspended" and p.suspension["decided_by"] == "stf_a" and p.suspension["note"] == NOTE
    suspended = p.pending[-1]
    assert isinstance(suspended, PermitSuspended) and (suspended.decided_by, suspended.reason_code) == ("stf_a", "misuse")
    assert suspended.reason == "other" and suspended.quarantine_id is None
    with pytest.raises(Conflict):
        p.suspend("misuse", None, "stf_a", NOW + HOUR)
    p.lift_suspension("investigation_closed", "checked", "stf_b", NOW + 2 * HOUR, None)
    lifted = p.pending[-1]
    assert isinstance(lifted, PermitReinstated) and (lifted.decided_by, lifted.reason_code) == (
        "stf_b", "investigation_closed")
    assert p.status == "issued" and [(d["action"], d["decided_by"]) for d in p.decisions] == [
        ("suspended", "stf_a"), ("lifted", "stf_b")]
    no_free_text(p)
    assert from_state(to_state(p), 5).decisions == p.decisions


def test_lifting_while_the_holder_is_in_quarantine_keeps_it_suspended_for_the_quarantine() -> None:
    p = issued()
    p.suspend("under_investigation", None, "stf_a", NOW + HOUR)
    assert p.pending[-1].reason == "under_investigation"
    p.lift_suspension("investigation_closed", None, "stf_b", NOW + 2 * HOUR, "qua_9")
    assert p.status == "suspended" and p.suspension["quarantine_id"] == "qua_9"
    assert p.pending[-1].decided_by == "system" and p.pending[-1].quarantine_id == "qua_9"
    with pytest.raises(Conflict):
        p.lift_suspension("investigation_closed", None, "stf_b", NOW + 3 * HOUR, None)
    assert p.reinstate_after_quarantine("qua_9", NOW + 4 * HOUR) and p.status == "issued"


def test_automatic_suspension_records_the_quarantine_decision_it_follows() -> None:
    p = issued()
    cause = {"decided_by": "stf_officer", "reason_code": "close_contact"}
    assert p.suspend_for_quarantine("qua_1", NOW + HOUR, cause)
    event = p.pending[-1]
    assert (event.decided_by, event.reason_code, event.quarantine_id) == ("system", "holder_quarantined", "qua_1")
    assert p.decisions[-1]["cause"] == {"decided_by": "stf_officer", "reason_code": "close_contact",
                                        "quarantine_id": "qua_1"}
    assert p.reinstate_after_quarantine("qua_1", NOW + 2 * HOUR, {"appeal_id": "apl_r"})
    back = p.pending[-1]
    assert isinstance(back, PermitReinstated) and (back.decided_by, back.reason_code) == ("system", "quarantine_ended")
    assert p.decisions[-1]["cause"] == {"appeal_id": "apl_r", "quarantine_id": "qua_1"}


def test_revocation_appeal_reviewed_by_someone_else_reinstates() -> None:
    p = issued()
    p.revoke("forged_documents", NOTE, "stf_a", NOW + HOUR)
    revoked = p.pending[-1]
    assert isinstance(revoked, PermitRevoked) and (revoked.reason, revoked.reason_code, revoked.decided_by) == (
        "other", "forged_documents", "stf_a")
    appeal = p.file_appeal("apl_1", "holder", "holder", "I never forged anything", NOW + 2 * HOUR)
    assert isinstance(p.pending[-1], PermitAppealFiled) and appeal.deciders == ["stf_a"]
    with pytest.raises(Conflict):
        p.file_appeal("apl_2", "staff", "stf_c", None, NOW + 2 * HOUR)
    with pytest.raises(NotTheDecider) as refused:
        p.decide_appeal("apl_1", True, "new_evidence", None, "stf_a", NOW + 3 * HOUR, None)
    assert refused.value.status == 403 and p.status == "revoked" and appeal.is_open
    p.decide_appeal("apl_1", True, "new_evidence", "papers were genuine", "stf_b", NOW + 3 * HOUR, None)
    decided, reinstated = p.pending[-2:]
    assert isinstance(decided, PermitAppealDecided) and (decided.outcome, decided.decided_by) == ("overturned", "stf_b")
    assert isinstance(reinstated, PermitReinstated) and reinstated.appeal_id == "apl_1"
    assert reinstated.reason_code == "appeal_overturned" and reinstated.decided_by == "stf_b"
    assert p.status == "issued" and p.revocation is None and p.verification_status(NOW + 3 * HOUR) == "valid"
    no_free_text(p)
    assert from_state(to_state(p), 9).appeals == p.appeals


def test_staff_filer_cannot_review_and_an_upheld_appeal_changes_nothing() -> None:
    p = issued()
    p.suspend("misuse", None, "stf_a", NOW + HOUR)
    p.file_appeal("apl_1", "staff", "stf_c", None, NOW + HOUR)
    with pytest.raises(NotTheDecider):
        p.decide_appeal("apl_1", True, "new_evidence", None, "stf_c", NOW + 2 * HOUR, None)
    p.decide_appeal("apl_1", False, "decision_justified", None, "stf_b", NOW + 2 * HOUR, None)
    assert p.status == "suspended" and p.appeal("apl_1").status == "upheld"
    assert not any(isinstance(e, PermitReinstated) for e in p.pending)


def test_appeals_of_quarantine_suspensions_and_valid_permits() -> None:
    p = issued()
    with pytest.raises(Conflict):
        p.file_appeal("apl_0", "holder", "holder", None, NOW)  # nothing to appeal
    p.suspend_for_quarantine("qua_1", NOW + HOUR)
    with pytest.raises(Conflict) as staff:
        p.file_appeal("apl_1", "staff", "stf_c", None, NOW + HOUR)
    assert "registry" in staff.value.detail
    p.file_appeal("apl_2", "holder", "holder", None, NOW + HOUR)  # the public answer tells nothing about why
    with pytest.raises(Conflict):
        p.decide_appeal("apl_2", True, "new_evidence", None, "stf_b", NOW + 2 * HOUR, None)
    p.decide_appeal("apl_2", False, "follows_quarantine", None, "stf_b", NOW + 2 * HOUR, None)
    assert p.status == "suspended"


def test_an_overturned_revocation_past_its_validity_expires() -> None:
    p = issued(days=1)
    p.revoke("fraud", None, "stf_a", NOW + HOUR)
    p.file_appeal("apl_1", "staff", "stf_c", None, NOW + HOUR)
    p.decide_appeal("apl_1", True, "new_evidence", None, "stf_b", NOW + timedelta(days=2), None)
    assert p.status == "expired" and isinstance(p.pending[-1], PermitExpired)
