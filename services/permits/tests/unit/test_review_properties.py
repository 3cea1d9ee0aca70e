"""Property (Hypothesis state machine): whatever decisions, escalations and after-issue commands an
application gets, under any review policy, it moves only along its state machine, it is issued
exactly when the policy's rule is met by approvals (and rejected once it can no longer be),
a closed review takes no decision, and a refused command changes nothing."""

from __future__ import annotations

import copy
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from towngrid_kit.errors import DomainError
from permits.domain.review import ReviewPolicy

from .applications import NOW, apply

DEPARTMENTS = ["health", "traffic", "community"]
# status → the statuses it may become (appeals, handled elsewhere, may reinstate a revoked permit).
NEXT = {
    "under_review": {"under_review", "issued", "rejected"},
    "issued": {"issued", "suspended", "revoked", "expired"},
    "suspended": {"suspended", "issued", "revoked", "expired"},
    "rejected": {"rejected"},
    "revoked": {"revoked"},
    "expired": {"expired"},
}


@st.composite
def policies(draw: st.DrawFn) -> ReviewPolicy:
    departments = draw(st.lists(st.sampled_from(DEPARTMENTS), min_size=1, max_size=3, unique=True))
    rule = draw(st.sampled_from(["all", "quorum"]))
    quorum = draw(st.integers(1, len(departments))) if rule == "quorum" else None
    return ReviewPolicy(departments, rule, quorum, step_time_limit_s=3600, default_validity_days=30,
                        max_validity_days=90)


class PermitMachine(RuleBasedStateMachine):
    @initialize(policy=policies(), quarantined=st.booleans())
    def apply(self, policy: ReviewPolicy, quarantined: bool) -> None:
        self.policy = policy
        self.clock = NOW
        self.permit = apply(policy=policy, quarantined=quarantined)
        assert self.permit.status == ("rejected" if quarantined else "under_review")

    def attempt(self, command, minutes: int = 20) -> bool:  # noqa: ANN001
        before = copy.deepcopy(self.permit)
        self.clock += timedelta(minutes=minutes)
        try:
            command(self.clock)
        except DomainError:
            assert self.permit == before, "a refused command changed the permit"
            return False
        assert self.permit.status in NEXT[before.status], f"{before.status} → {self.permit.status}"
        return True

    @rule(department=st.sampled_from(DEPARTMENTS), approve=st.booleans(), escalated=st.booleans(),
          quarantined=st.booleans())
    def decide(self, department: str, approve: bool, escalated: bool, quarantined: bool) -> None:
        status = self.permit.status
        step_open = any(s.department == department and s.open for s in self.permit.steps)
        decided = self.attempt(lambda at: self.permit.decide(
            department, approve=approve, reason=None if approve else "papers missing",
            reason_code=None if approve else "missing_documents", decided_by="stf_1", now=at, escalated=escalated,
            holder_in_quarantine=quarantined))
        if decided:
            assert status == "under_review" and step_open
        if decided and self.permit.status == "issued":
            assert not quarantined

    @rule(hours=st.integers(0, 3))
    def time_passes_and_overdue_steps_escalate(self, hours: int) -> None:
        self.attempt(lambda at: self.permit.mark_overdue(at), minutes=60 * hours)

    @rule(code=st.sampled_from(["violation", "other"]))
    def suspend(self, code: str) -> None:
        self.attempt(lambda at: self.permit.suspend(code, None, "stf_2", at))

    @rule(holder_quarantined=st.booleans())
    def lift(self, holder_quarantined: bool) -> None:
        self.attempt(lambda at: self.permit.lift_suspension("cleared", None, "stf_2", at,
                                                            "qua_9" if holder_quarantined else None))

    @rule(quarantine=st.sampled_from(["qua_1", "qua_2"]))
    def holder_quarantined(self, quarantine: str) -> None:
        self.attempt(lambda at: self.permit.suspend_for_quarantine(quarantine, at))

    @rule(quarantine=st.sampled_from(["qua_1", "qua_2"]))
    def holder_released(self, quarantine: str) -> None:
        self.attempt(lambda at: self.permit.reinstate_after_quarantine(quarantine, at))

    @rule(reason=st.sampled_from(["violation", "fraud", "other"]))
    def revoke(self, reason: str) -> None:
        self.attempt(lambda at: self.permit.revoke(reason, None, "stf_2", at))

    @rule(days=st.integers(0, 40))
    def expire(self, days: int) -> None:
        self.attempt(lambda at: self.permit.expire(at), minutes=60 * 24 * days)

    @invariant()
    def issued_only_when_the_rule_is_met(self) -> None:
        approvals = sum(1 for s in self.permit.steps if s.status == "approved")
        if self.permit.issued_at is not None:
            assert approvals >= self.policy.needed
            assert self.permit.valid_until is not None and self.permit.valid_until > self.permit.valid_from
        if self.permit.status == "under_review":
            assert approvals < self.policy.needed
            rejections = sum(1 for s in self.permit.steps if s.status == "rejected")
            assert len(self.permit.steps) - rejections >= self.policy.needed

    @invariant()
    def a_closed_review_has_no_open_step(self) -> None:
        if self.permit.status != "under_review":
            assert not any(s.open for s in self.permit.steps)

    @invariant()
    def one_step_per_department(self) -> None:
        assert [s.department for s in self.permit.steps] == self.policy.departments


TestPermitMachine = PermitMachine.TestCase
TestPermitMachine.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)
