"""Events about one enterprise's resumption case ("one enterprise, one policy").

Keyed by ``case_id`` on ``labor.resumption.v1``: a dedicated officer opens the case, and its
problems are tracked until solved and the enterprise is back at work.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

RESUMPTION_TOPIC = topic_name("labor", "resumption")

IssueCategory = Literal[
    "staffing", "materials", "logistics", "finance", "permits", "epidemic_prevention", "other"
]


class _ResumptionEvent(EventData):
    topic: ClassVar[str] = RESUMPTION_TOPIC

    case_id: Id = Field(description="Opaque resumption case id (the aggregate id).")
    enterprise_id: Id


class ResumptionCaseOpened(_ResumptionEvent):
    event_type: ClassVar[str] = "labor.resumption.case_opened"

    officer_id: StaffId = Field(description="Opaque staff id of the dedicated officer.")
    opened_at: AwareDatetime


class _IssueEvent(_ResumptionEvent):
    """An event about one problem of the case."""

    issue_id: Id


class ResumptionIssueRaised(_IssueEvent):
    event_type: ClassVar[str] = "labor.resumption.issue_raised"

    category: IssueCategory
    raised_at: AwareDatetime
    deadline: AwareDatetime | None = None


class ResumptionIssueResolved(_IssueEvent):
    event_type: ClassVar[str] = "labor.resumption.issue_resolved"

    resolved_by: StaffId
    resolved_at: AwareDatetime


class EnterpriseResumed(_ResumptionEvent):
    """The enterprise is back at work; the case closes."""

    event_type: ClassVar[str] = "labor.resumption.enterprise_resumed"

    workers_on_site: int = Field(ge=0)
    resumed_at: AwareDatetime


class ResumptionActionRecorded(_IssueEvent):
    """The officer recorded an action taken on an open problem (its text stays in labor)."""

    event_type: ClassVar[str] = "labor.resumption.action_recorded"

    action_id: Id
    recorded_by: StaffId
    recorded_at: AwareDatetime


class ResumptionIssueOverdue(_IssueEvent):
    """An open problem passed its deadline without a resolution (flagged once per problem)."""

    event_type: ClassVar[str] = "labor.resumption.issue_overdue"

    category: IssueCategory
    deadline: AwareDatetime
    detected_at: AwareDatetime
