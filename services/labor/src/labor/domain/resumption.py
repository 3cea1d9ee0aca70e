"""One enterprise, one policy: a resumption case with its dedicated officer and its problems.

Problems (kind, description, deadline) get actions and a resolution; an open problem past
its deadline is overdue (judged at read time). The enterprise resumes once no problem is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.labor import (
    EnterpriseResumed,
    ResumptionActionRecorded,
    ResumptionCaseOpened,
    ResumptionIssueOverdue,
    ResumptionIssueRaised,
    ResumptionIssueResolved,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound


@dataclass
class Action:
    action_id: str
    description: str
    recorded_by: str
    recorded_at: datetime


@dataclass
class Problem:
    issue_id: str
    kind: str
    description: str
    deadline: datetime
    raised_at: datetime
    actions: list[Action] = field(default_factory=list)
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    overdue_flagged_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.deadline < now


@dataclass
class ResumptionCase:
    case_id: str
    enterprise_id: str
    officer_id: str
    opened_at: datetime
    problems: list[Problem] = field(default_factory=list)
    resumed_at: datetime | None = None
    workers_on_site: int | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @classmethod
    def open(cls, case_id: str, enterprise_id: str, officer_id: str, at: datetime) -> "ResumptionCase":
        case = cls(case_id, enterprise_id, officer_id, at)
        case.pending.append(ResumptionCaseOpened(
            case_id=case_id, enterprise_id=enterprise_id, officer_id=officer_id, opened_at=at))
        return case

    @property
    def status(self) -> str:
        return "resumed" if self.resumed_at else "open"

    def open_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.is_open]

    def overdue_problems(self, now: datetime) -> list[Problem]:
        return [p for p in self.problems if p.overdue(now)]

    def problem(self, issue_id: str) -> Problem:
        for p in self.problems:
            if p.issue_id == issue_id:
                return p
        raise NotFound(f"case {self.case_id} has no problem {issue_id}")

    def _must_be_open(self) -> None:
        if self.resumed_at is not None:
            raise Conflict(f"enterprise {self.enterprise_id} has resumed; case {self.case_id} is closed")

    def flag_overdue(self, now: datetime) -> list[Problem]:
        """Flag, once each, the open problems past their deadline (a second sweep records nothing)."""
        flagged = [p for p in self.problems if p.overdue(now) and p.overdue_flagged_at is None]
        for p in flagged:
            p.overdue_flagged_at = now
            self.pending.append(ResumptionIssueOverdue(
                case_id=self.case_id, enterprise_id=self.enterprise_id, issue_id=p.issue_id, category=p.kind,
                deadline=p.deadline, detected_at=now))
        return flagged

    def raise_problem(self, issue_id: str, kind: str, description: str, deadline: datetime, at: datetime) -> Problem:
        self._must_be_open()
        if deadline <= at:
            raise InvalidInput("deadline must be in the future", field="body.deadline")
        problem = Problem(issue_id, kind, description, deadline, at)
        self.problems.append(problem)
        self.pending.append(ResumptionIssueRaised(
            case_id=self.case_id, enterprise_id=self.enterprise_id, issue_id=issue_id, category=kind,
            raised_at=at, deadline=deadline))
        return problem

    def record_action(self, issue_id: str, action: Action) -> None:
        self._must_be_open()
        problem = self.problem(issue_id)
        if not problem.is_open:
            raise Conflict(f"problem {issue_id} is resolved")
        problem.actions.append(action)
        self.pending.append(ResumptionActionRecorded(
            case_id=self.case_id, enterprise_id=self.enterprise_id, issue_id=issue_id, action_id=action.action_id,
            recorded_by=action.recorded_by, recorded_at=action.recorded_at))

    def resolve(self, issue_id: str, resolution: str, by: str, at: datetime) -> None:
        self._must_be_open()
        problem = self.problem(issue_id)
        if not problem.is_open:
            raise Conflict(f"problem {issue_id} is already resolved")
        problem.resolution, problem.resolved_by, problem.resolved_at = resolution, by, at
        self.pending.append(ResumptionIssueResolved(
            case_id=self.case_id, enterprise_id=self.enterprise_id, issue_id=issue_id, resolved_by=by, resolved_at=at))

    def resume(self, workers_on_site: int, at: datetime) -> None:
        self._must_be_open()
        if still := self.open_problems():
            raise Conflict(f"{len(still)} problem(s) still open: {', '.join(p.issue_id for p in still)}")
        self.resumed_at, self.workers_on_site = at, workers_on_site
        self.pending.append(EnterpriseResumed(
            case_id=self.case_id, enterprise_id=self.enterprise_id, workers_on_site=workers_on_site, resumed_at=at))
