"""Events published by the labor service (only the labor service edits this package)."""

from towngrid_contracts.labor.batch import (
    BATCH_TOPIC,
    BatchArrived,
    BatchBoardingChecked,
    BatchDispatched,
    BatchScheduled,
    BatchWorkerAdded,
    BatchWorkerFlagged,
)
from towngrid_contracts.labor.demand import DEMAND_TOPIC, DemandPositionFilled, LaborDemandPosted
from towngrid_contracts.labor.employer import EMPLOYER_TOPIC, EmployerRegistered
from towngrid_contracts.labor.job_seeker import (
    JOB_SEEKER_TOPIC,
    JobSeekerRegistered,
    WorkerMatched,
    WorkerPlacedLocally,
)
from towngrid_contracts.labor.resumption import (
    RESUMPTION_TOPIC,
    EnterpriseResumed,
    ResumptionActionRecorded,
    ResumptionCaseOpened,
    ResumptionIssueOverdue,
    ResumptionIssueRaised,
    ResumptionIssueResolved,
)

EVENTS = (
    LaborDemandPosted,
    JobSeekerRegistered,
    WorkerMatched,
    BatchDispatched,
    BatchArrived,
    ResumptionCaseOpened,
    ResumptionIssueRaised,
    ResumptionIssueResolved,
    EnterpriseResumed,
    EmployerRegistered,
    DemandPositionFilled,
    WorkerPlacedLocally,
    BatchScheduled,
    BatchWorkerAdded,
    BatchWorkerFlagged,
    BatchBoardingChecked,
    ResumptionActionRecorded,
    ResumptionIssueOverdue,
)
"""Every labor event, in catalogue order (new events are appended)."""

__all__ = [
    "BATCH_TOPIC",
    "DEMAND_TOPIC",
    "EMPLOYER_TOPIC",
    "EVENTS",
    "JOB_SEEKER_TOPIC",
    "RESUMPTION_TOPIC",
    "BatchArrived",
    "BatchBoardingChecked",
    "BatchDispatched",
    "BatchScheduled",
    "BatchWorkerAdded",
    "BatchWorkerFlagged",
    "DemandPositionFilled",
    "EmployerRegistered",
    "EnterpriseResumed",
    "JobSeekerRegistered",
    "LaborDemandPosted",
    "ResumptionActionRecorded",
    "ResumptionCaseOpened",
    "ResumptionIssueOverdue",
    "ResumptionIssueRaised",
    "ResumptionIssueResolved",
    "WorkerMatched",
    "WorkerPlacedLocally",
]
