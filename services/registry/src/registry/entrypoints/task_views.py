"""What a compound volunteer sees of a resident: a task view.

A volunteer visits doors, takes temperatures and ticks checklist items in one compound. They get
the name, the address in their compound, the neighbour group, and the quarantine and checklist
status — never the national ID number (not even masked), the mobile number, the household, the
travel history or the close contacts. Officers and the town get the whole file (``ResidentView``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from towngrid_kit.auth import Principal, Role
from towngrid_kit.paging import Page, page_of
from registry.domain.resident import Resident
from registry.entrypoints.schemas import ChecklistView, ResidentView


class QuarantineTask(BaseModel):
    quarantine_id: str
    kind: str
    started_at: datetime
    planned_end: date
    last_check_at: datetime | None
    last_check_fever: bool | None
    missed_check_days: list[date]


class ResidentTaskView(BaseModel):
    """A resident as a compound volunteer's task: no ID number, no phone."""

    view: Literal["task"] = "task"
    resident_id: str
    name: str
    address: str
    compound_id: str
    neighbour_group_id: str | None
    in_quarantine: bool
    quarantine: QuarantineTask | None = Field(description="The open quarantine, if any.")
    checklist: ChecklistView | None

    @classmethod
    def of(cls, r: Resident) -> "ResidentTaskView":
        q = r.open_quarantine
        last = max(q.checks, key=lambda c: c.checked_at) if q and q.checks else None
        return cls(
            resident_id=r.resident_id, name=r.person.name, address=r.person.address, compound_id=r.compound_id,
            neighbour_group_id=r.neighbour_group_id, in_quarantine=q is not None,
            quarantine=QuarantineTask(
                quarantine_id=q.quarantine_id, kind=q.kind, started_at=q.started_at, planned_end=q.planned_end,
                last_check_at=last.checked_at if last else None, last_check_fever=last.fever if last else None,
                missed_check_days=q.missed_days,
            ) if q else None,
            checklist=ChecklistView.of(r.checklist) if r.checklist else None,
        )


def sees_tasks_only(who: Principal) -> bool:
    return who.role is Role.COMPOUND_VOLUNTEER


def resident_view(who: Principal, r: Resident) -> ResidentView | ResidentTaskView:
    """The whole (masked) file for officers and the town; the task view for a compound volunteer."""
    return ResidentTaskView.of(r) if sees_tasks_only(who) else ResidentView.of(r)


def resident_page(who: Principal, found: list[Resident],
                  limit: int) -> Page[ResidentView] | Page[ResidentTaskView]:
    if sees_tasks_only(who):
        return page_of(found, limit, lambda r: r.resident_id, ResidentTaskView.of)
    return page_of(found, limit, lambda r: r.resident_id, ResidentView.of)
