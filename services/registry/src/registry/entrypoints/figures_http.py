"""The figures the town reports, at a glance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from registry.entrypoints.roles import FigureReader


router = APIRouter(tags=["figures"])


class Figures(BaseModel):
    as_of: datetime
    returnees_registered_per_day: dict[str, int] = Field(description="Town-local date of first registration → count.")
    returnees_registered_total: int
    in_home_quarantine: int
    in_centralized_quarantine: int
    checklist_items_overdue: int
    daily_checks_missed_in_open_quarantines: int
    tips_open: int
    checkpoints: int
    checkpoints_with_coverage_gaps: int
    care_pairs: int
    vulnerable_enrolled: int
    people_taken_in: int = Field(description="Homeless people taken in and cared for.")
    left_town: int


@router.get("/figures", response_model=Figures, summary="The figures the town reports")
async def figures(request: Request, _: FigureReader,
                  days: Annotated[int, Query(ge=1, le=366, description="Days of registrations per day.")] = 30) -> Figures:
    state = request.app.state
    residents = await state.residents.figures(days)
    grid = await state.grid.get()
    return Figures(as_of=datetime.now(UTC), **residents, tips_open=await state.tips.count_open(),
                   checkpoints=len(grid.compounds), checkpoints_with_coverage_gaps=await state.duty.checkpoints_with_gaps())
