from datetime import timedelta

import pytest

import towngrid_contracts.permits as events
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from permits.adapters.documents import from_state, index_fields, to_state
from permits.domain.permit import Permit
from permits.domain.review import ReviewPolicy, outcome, ReviewStep

from .applications import HOUR, NOW, apply


def approve(p: Permit, dept: str, at=NOW + HOUR, quarantined=False, escalated=False) -> None:
    p.decide(dept, approve=True, reason=None, reason_code=None, decided_by="stf_1", now=at, escalated=escalated,
             holder_in_quarantine=quarantined)


def reject(p: Permit, dept: str, reason="papers missing") -> None:
    p.decide(dept, approve=False, reason=reason, reason_code="missing_documents", decided_by="stf_2",
             now=NOW + HOUR, escalated=False, holder_in_quarantine=False)


def types(p: Permit) -> list[type]:
    return [type(e) for e in p.pending]


def issued(until=None) -> Permit:
    p = apply(until=until)
    approve(p, "health")
    p.pending.clear()
    return p


def test_application_records_channel_and_opens_one_step_per_department() -> None:
    p = apply(policy=ReviewPolicy(["health", "community"], step_time_limit_s=3600))
    assert p.status == "under_review"
    assert [(s.department, s.status, s.due_at) for s in p.steps] == [
        ("health", "pending", NOW + HOUR), ("community", "pending", NOW + HOUR)]
    applied = p.pending[0]
    assert isinstance(applied, events.PermitApplied)
    assert (applied.channel, applied.service_point_id, applied.review_departments) == (
        "town_hall_window", "W1", ["health", "community"])


def test_application_during_quarantine_is_refused_with_the_reason() -> None:
    p = apply(quarantined=True)
    assert types(p) == [events.PermitApplied, events.PermitRejected]
    assert p.status == "rejected" and p.pending[1].reason == "holder_in_quarantine"
    assert all(s.status == "closed" for s in p.steps)


def test_business_reopening_is_not_refused_for_quarantine() -> None:
    p = apply("business_reopening", quarantined=True)
    assert p.status == "under_review"


def test_validity_in_the_past_or_too_far_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as past:
        apply(until=NOW - HOUR)
    assert past.value.field == "body.valid_until"
    with pytest.raises(InvalidInput):
        apply(until=NOW + timedelta(days=91))


def test_rule_all_issues_after_every_department_and_rejects_on_the_first_no() -> None:
    policy = ReviewPolicy(["health", "community"])
    p = apply(policy=policy)
    approve(p, "health")
    assert p.status == "under_review"
    approve(p, "community", at=NOW + 2 * HOUR)
    assert p.status == "issued"
    assert (p.valid_from, p.valid_until) == (NOW + 2 * HOUR, NOW + 2 * HOUR + timedelta(days=30))
    assert types(p)[-3:] == [events.PermitReviewStepDecided, events.PermitReviewStepDecided, events.PermitIssued]

    q = apply(policy=policy)
    reject(q, "community")
    assert q.status == "rejected"
    assert q.rejection["reason"] == "missing_documents" and q.rejection["department"] == "community"
    assert q.step("health").status == "closed"
    assert isinstance(q.pending[-1], events.PermitRejected) and q.pending[-1].department == "community"


def test_quorum_issues_on_enough_approvals_and_rejects_when_it_can_no_longer_be_met() -> None:
    policy = ReviewPolicy(["a", "b", "c"], "quorum", 2)
    p = apply("vehicle_pass", policy=policy, until=NOW + timedelta(days=5))
    reject(p, "a")
    assert p.status == "under_review"
    approve(p, "b")
    approve(p, "c")
    assert p.status == "issued" and p.valid_until == NOW + timedelta(days=5)

    q = apply("vehicle_pass", policy=policy, until=NOW + timedelta(days=5))
    reject(q, "a")
    reject(q, "b")
    assert q.status == "rejected" and q.step("c").status == "closed"


def test_outcome_waits_while_undecided() -> None:
    policy = ReviewPolicy(["a", "b", "c"], "quorum", 2)
    steps = [ReviewStep("a", NOW, "approved"), ReviewStep("b", NOW, "rejected"), ReviewStep("c", NOW)]
    assert outcome(policy, steps) is None


def test_illegal_decisions_are_refused() -> None:
    p = apply(policy=ReviewPolicy(["health", "community"]))
    with pytest.raises(NotFound):
        approve(p, "traffic")
    with pytest.raises(InvalidInput) as no_reason:
        p.decide("health", approve=False, reason=None, reason_code=None, decided_by="s", now=NOW,
                 escalated=False, holder_in_quarantine=False)
    assert no_reason.value.field == "body.reason"
    approve(p, "health")
    with pytest.raises(Conflict):
        approve(p, "health")
    with pytest.raises(Conflict):
        approve(p, "community", escalated=True)  # not overdue: the department decides it
    reject(p, "community")
    with pytest.raises(Conflict):
        approve(p, "community")


def test_approval_in_quarantine_rejects_instead_of_issuing() -> None:
    p = apply()
    approve(p, "health", quarantined=True)
    assert p.status == "rejected" and p.rejection["reason"] == "holder_in_quarantine"


def test_business_reopening_needs_the_whole_opening_standard_before_approval() -> None:
    p = apply("business_reopening", details={"checklist": {"disinfection": True}})
    assert p.checklist_missing == ["staff_health_certificates", "temperature_checks", "buyer_ledger"]
    with pytest.raises(Conflict, match="opening standard"):
        approve(p, "health")
    p.update_checklist({"staff_health_certificates": True, "temperature_checks": True, "buyer_ledger": True},
                       NOW)
    assert isinstance(p.pending[-1], events.PermitOpeningChecklistUpdated) and p.pending[-1].complete
    approve(p, "health")
    assert p.status == "issued" and p.pending[-1].merchant_id == "mer_1"


def test_overdue_steps_raise_an_event_once_and_escalate() -> None:
    p = apply(policy=ReviewPolicy(["health", "community"], step_time_limit_s=60))
    approve(p, "health", at=NOW + timedelta(seconds=30))
    assert p.mark_overdue(NOW + timedelta(seconds=59)) == []
    assert p.mark_overdue(NOW + timedelta(seconds=61)) == ["community"]
    assert isinstance(p.pending[-1], events.PermitReviewStepOverdue) and p.pending[-1].department == "community"
    assert p.mark_overdue(NOW + timedelta(seconds=90)) == []
    assert p.next_due is None
    approve(p, "community", escalated=True)
    assert p.status == "issued" and p.pending[-2].escalated


def test_quarantine_suspends_then_reinstates_once_each() -> None:
    p = issued()
    assert p.suspend_for_quarantine("qua_1", NOW + 2 * HOUR)
    assert p.status == "suspended" and types(p) == [events.PermitSuspended]
    assert p.pending[0].quarantine_id == "qua_1" and p.pending[0].reason == "holder_quarantined"
    assert not p.suspend_for_quarantine("qua_1", NOW + 3 * HOUR)  # redelivered
    assert p.verification_status(NOW + 3 * HOUR) == "suspended"
    assert p.reinstate_after_quarantine("qua_1", NOW + 4 * HOUR)
    assert p.status == "issued" and types(p) == [events.PermitSuspended, events.PermitReinstated]
    assert not p.reinstate_after_quarantine("qua_1", NOW + 5 * HOUR)
    assert not p.suspend_for_quarantine("qua_1", NOW + 5 * HOUR)  # a replay after the release
    assert p.status == "issued"


def test_release_after_validity_expires_instead_of_reinstating() -> None:
    p = issued(until=NOW + 3 * HOUR)
    p.suspend_for_quarantine("qua_1", NOW + 2 * HOUR)
    p.reinstate_after_quarantine("qua_1", NOW + 4 * HOUR)
    assert p.status == "expired" and types(p) == [events.PermitSuspended, events.PermitExpired]


def test_business_permits_are_not_suspended_by_quarantine() -> None:
    p = apply("business_reopening", details={"checklist": dict.fromkeys(
        ["staff_health_certificates", "disinfection", "temperature_checks", "buyer_ledger"], True)})
    approve(p, "health")
    assert not p.suspend_for_quarantine("qua_1", NOW + 2 * HOUR)


def test_revoke_and_expire() -> None:
    p = issued(until=NOW + 3 * HOUR)
    assert not p.expire(NOW + 2 * HOUR)
    assert p.verification_status(NOW + 2 * HOUR) == "valid"
    assert p.verification_status(NOW + 3 * HOUR) == "expired"  # even before the clock ran
    assert p.expire(NOW + 3 * HOUR) and types(p) == [events.PermitExpired]
    assert not p.expire(NOW + 4 * HOUR)
    with pytest.raises(Conflict):
        p.revoke("fraud", None, "stf_1", NOW + 4 * HOUR)

    q = issued()
    q.revoke("fraud", "forged papers", "stf_9", NOW + 2 * HOUR)
    assert q.status == "revoked" and q.pending[-1].revoked_by == "stf_9"
    assert q.verification_status(NOW + 2 * HOUR) == "revoked"
    with pytest.raises(Conflict):
        q.revoke("fraud", None, "stf_1", NOW + 4 * HOUR)
    with pytest.raises(Conflict):
        apply().revoke("fraud", None, "stf_1", NOW)


def test_state_round_trip_keeps_everything() -> None:
    p = apply(policy=ReviewPolicy(["health", "community"], step_time_limit_s=60))
    approve(p, "health")
    p.pending.clear()
    again = from_state(to_state(p), 3)
    assert again.steps == p.steps and again.policy == p.policy and again.version == 3
    assert to_state(again) == to_state(p)
    fields = index_fields(p)
    assert fields["pending_departments"] == ["community"] and fields["holder_id"] == "res_1"
    assert fields["applied_day"] == "2020-02-18" and fields["next_due"] == NOW + timedelta(seconds=60)


def test_policy_validation_names_the_field() -> None:
    for kwargs, field in (({"departments": []}, "body.departments"),
                          ({"departments": ["a", "a"]}, "body.departments"),
                          ({"departments": ["a"], "rule": "quorum"}, "body.quorum"),
                          ({"departments": ["a"], "rule": "quorum", "quorum": 2}, "body.quorum"),
                          ({"departments": ["a"], "quorum": 1}, "body.quorum"),
                          ({"departments": ["a"], "default_validity_days": 100, "max_validity_days": 10},
                           "body.default_validity_days")):
        with pytest.raises(InvalidInput) as refused:
            ReviewPolicy(**kwargs)
        assert refused.value.field == field


def test_receipt_is_checked_against_its_hash_only() -> None:
    import hashlib

    p = apply()
    assert not p.receipt_matches("anything")  # no receipt set: nothing matches
    p.receipt_hash = hashlib.sha256(b"r3ceipt-secret").hexdigest()
    assert p.receipt_matches("r3ceipt-secret") and not p.receipt_matches("r3ceipt-secreT")
    assert "r3ceipt-secret" not in str(to_state(p))
