"""Use cases of enterprise resumption cases ("one enterprise, one policy")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from towngrid_kit.errors import Conflict, ConcurrentModification
from labor.domain.employment import Demand, Employer
from labor.domain.resumption import Action, Problem, ResumptionCase
from labor.service.employment import must_exist
from towngrid_kit.ids import new_id, utcnow
from towngrid_kit.unit_of_work import UnitOfWork


def case_id_of(enterprise_id: str) -> str:
    """One case per enterprise: the case id is derived from the enterprise id."""
    return f"case_{enterprise_id}"


class Resumption:
    def __init__(self, cases: UnitOfWork[ResumptionCase], employers: UnitOfWork[Employer], demands: UnitOfWork[Demand]) -> None:
        self.cases = cases
        self.employers = employers
        self.demands = demands

    async def open_case(self, enterprise_id: str, officer_id: str) -> ResumptionCase:
        await must_exist(self.employers, enterprise_id, "body.enterprise_id")
        case_id = case_id_of(enterprise_id)
        if (existing := await self.cases.repo.get(case_id)) is not None:
            raise Conflict(f"enterprise {enterprise_id} already has case {existing.case_id}")
        try:
            return await self.cases.add(ResumptionCase.open(case_id, enterprise_id, officer_id, utcnow()))
        except ConcurrentModification:
            raise Conflict(f"enterprise {enterprise_id} already has case {case_id}") from None

    async def raise_problem(self, case_id: str, kind: str, description: str, deadline: datetime) -> Problem:
        issue_id, now = new_id("iss"), utcnow()
        case = await self.cases.change(case_id, lambda c: c.raise_problem(issue_id, kind, description, deadline, now))
        return case.problem(issue_id)

    async def record_action(self, case_id: str, issue_id: str, description: str, by: str) -> Problem:
        action = Action(new_id("act"), description, by, utcnow())
        case = await self.cases.change(case_id, lambda c: c.record_action(issue_id, action))
        return case.problem(issue_id)

    async def resolve(self, case_id: str, issue_id: str, resolution: str, by: str) -> Problem:
        now = utcnow()
        case = await self.cases.change(case_id, lambda c: c.resolve(issue_id, resolution, by, now))
        return case.problem(issue_id)

    async def resume(self, case_id: str, workers_on_site: int) -> ResumptionCase:
        now = utcnow()
        return await self.cases.change(case_id, lambda c: c.resume(workers_on_site, now))

    async def flag_overdue(self) -> int:
        """Record ``ResumptionIssueOverdue`` once for each open problem past its deadline."""
        now = utcnow()
        docs = await self.cases.repo.fields({"open_problems": {"$gt": 0}}, {"unflagged_deadlines": 1})
        flagged = 0
        for doc in docs:
            if any(d < now for d in doc.get("unflagged_deadlines", [])):
                case = await self.cases.change(doc["_id"], lambda c: c.flag_overdue(now))
                flagged += sum(1 for p in case.problems if p.overdue_flagged_at == now)
        return flagged

    async def linked_demands(self, enterprise_id: str) -> list[Demand]:
        return await self.demands.repo.find({"enterprise_id": enterprise_id}, limit=200)

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[ResumptionCase]:
        return await self.cases.repo.find(filters, after=after, limit=limit)
