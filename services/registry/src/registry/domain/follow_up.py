"""Parts of a person's file beyond the basics: changes of a quarantine's planned end, days
without a health check, close contacts. Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

MAX_DAYS_LOOKED_AT = 90


@dataclass
class PlannedEndChange:
    previous_planned_end: date
    planned_end: date
    reason: str
    note: str | None
    changed_by: str
    changed_at: datetime


@dataclass
class ContactLink:
    link_id: str
    contact_resident_id: str
    last_contact_on: date
    linked_by: str
    linked_at: datetime


def local_day(moment: datetime, tz: timezone) -> date:
    return moment.astimezone(tz).date()


def end_of_day(day: date, tz: timezone) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def days_needing_a_check(started_at: datetime, covered: set[date], tz: timezone):  # noqa: ANN201
    """Every local day after the start day that has no check and is not flagged yet, in order."""
    day = local_day(started_at, tz) + timedelta(days=1)
    for _ in range(MAX_DAYS_LOOKED_AT):
        if day not in covered:
            yield day
        day += timedelta(days=1)
