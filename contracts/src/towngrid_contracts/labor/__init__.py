"""Events published by the labor service (only the labor service edits this package)."""

from towngrid_contracts.labor.batch import BATCH_TOPIC, BatchArrived, BatchDispatched
from towngrid_contracts.labor.demand import DEMAND_TOPIC, LaborDemandPosted
from towngrid_contracts.labor.job_seeker import JOB_SEEKER_TOPIC, JobSeekerRegistered, WorkerMatched
from towngrid_contracts.labor.resumption import (
    RESUMPTION_TOPIC,
    EnterpriseResumed,
    ResumptionCaseOpened,
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
)
"""Every labor event, in catalogue order."""

__all__ = [
    "BATCH_TOPIC",
    "DEMAND_TOPIC",
    "EVENTS",
    "JOB_SEEKER_TOPIC",
    "RESUMPTION_TOPIC",
    "BatchArrived",
    "BatchDispatched",
    "EnterpriseResumed",
    "JobSeekerRegistered",
    "LaborDemandPosted",
    "ResumptionCaseOpened",
    "ResumptionIssueRaised",
    "ResumptionIssueResolved",
    "WorkerMatched",
]
