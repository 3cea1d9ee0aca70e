"""Events about one enterprise's resumption case ("one enterprise, one policy").

Keyed by ``case_id`` on ``labor.resumption.v1``: a dedicated officer opens the case, and its
problems are tracked until solved and the enterprise is back at work.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

RESUMPTION_TOPIC = topic_name("labor", "resumption")

IssueCategory = Literal[
    "staffing", "materials", "logistics", "finance", "permits", "epidemic_prevention", "other"
]


class _ResumptionEvent(EventData, topic=RESUMPTION_TOPIC):
    case_id: Id = Field(description="Opaque resumption case id (the aggregate id).")
    enterprise_id: Id


class ResumptionCaseOpened(_ResumptionEvent, event_type="labor.resumption.case_opened"):
    officer_id: StaffId = Field(description="Opaque staff id of the dedicated officer.")
    opened_at: AwareDatetime


class _IssueEvent(_ResumptionEvent):
    """An event about one problem of the case."""

    issue_id: Id


class ResumptionIssueRaised(_IssueEvent, event_type="labor.resumption.issue_raised"):
    category: IssueCategory
    raised_at: AwareDatetime
    deadline: AwareDatetime | None = None


class ResumptionIssueResolved(_IssueEvent, event_type="labor.resumption.issue_resolved"):
    resolved_by: StaffId
    resolved_at: AwareDatetime


class EnterpriseResumed(_ResumptionEvent, event_type="labor.resumption.enterprise_resumed"):
    """The enterprise is back at work; the case closes."""

    workers_on_site: int = Field(ge=0)
    resumed_at: AwareDatetime


class ResumptionActionRecorded(_IssueEvent, event_type="labor.resumption.action_recorded"):
    """The officer recorded an action taken on an open problem (its text stays in labor)."""

    action_id: Id
    recorded_by: StaffId
    recorded_at: AwareDatetime


class ResumptionIssueOverdue(_IssueEvent, event_type="labor.resumption.issue_overdue"):
    """An open problem passed its deadline without a resolution (flagged once per problem)."""

    category: IssueCategory
    deadline: AwareDatetime
    detected_at: AwareDatetime
