"""Labor's routes for enterprises' resumption cases: problems with deadlines, actions, resumed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from towngrid_kit.auth import Principal
from towngrid_kit.http import Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.ids import utcnow
from towngrid_kit.paging import Page, page_of
from labor.bootstrap import Labor
from labor.domain.resumption import ResumptionCase
from labor.entrypoints.deps import Service
from labor.entrypoints.roles import Officer, Staff
from labor.entrypoints.schemas import OpenCase, RaiseProblem, RecordAction, Resolve, Resume, view
from labor.entrypoints.scope import ensure_own_enterprise, enterprise_filter

router = APIRouter()


def case_view(c: ResumptionCase, demands: list[Any] | None = None) -> dict[str, Any]:  # noqa: ANN401
    now = utcnow()
    shown = view(c, status=c.status, open_problems=len(c.open_problems()),
                 overdue_problems=[p.issue_id for p in c.overdue_problems(now)])
    for problem, data in zip(c.problems, shown["problems"]):
        data["overdue"] = problem.overdue(now)
        data["status"] = "open" if problem.is_open else "resolved"
    if demands is not None:
        shown["demands"] = [{"demand_id": d.demand_id, "title": d.title, "headcount": d.headcount, "filled": d.filled,
                             "status": d.status, "province": d.province} for d in demands]
    return shown


async def case_in_scope(service: Labor, principal: Principal, case_id: str) -> ResumptionCase:
    case = await service.resumption.cases.get(case_id)
    ensure_own_enterprise(principal, case.enterprise_id, f"resumption case {case_id}")
    return case


@router.post("/resumption-cases", status_code=201, tags=["resumption"],
             summary="Open an enterprise's resumption case with its dedicated officer")
async def open_case(body: OpenCase, service: Service, once: OncePerKey, principal: Officer) -> JSONResponse:
    ensure_own_enterprise(principal, body.enterprise_id, f"employer {body.enterprise_id}")
    return await once.created(body, service.resumption.open_case(body.enterprise_id, body.officer_id), case_view)


@router.get("/resumption-cases/{case_id}", tags=["resumption"],
            summary="A case: problems (overdue flagged), actions, and the enterprise's labour demand")
async def get_case(case_id: str, service: Service, principal: Staff) -> dict[str, Any]:
    case = await case_in_scope(service, principal, case_id)
    return case_view(case, await service.resumption.linked_demands(case.enterprise_id))


@router.get("/resumption-cases", tags=["resumption"], response_model=Page[dict[str, Any]], summary="Cases, a page at a time")
async def list_cases(service: Service, principal: Staff,
                     status: Annotated[str | None, Query(pattern="^(open|resumed)$")] = None,
                     after: str | None = None, limit: Limit = 50) -> Page[dict[str, Any]]:
    if (own := enterprise_filter(principal)) is None:
        return Page(items=[])
    query = ({"status": status} if status else {}) | own
    found = await service.resumption.page(query, after, limit + 1)
    return page_of(found, limit, lambda c: c.case_id, case_view)


@router.post("/resumption-cases/{case_id}/problems", status_code=201, tags=["resumption"],
             summary="Raise a problem (kind, description, deadline)")
async def raise_problem(case_id: str, body: RaiseProblem, service: Service, once: OncePerKey,
                        principal: Officer) -> JSONResponse:
    await case_in_scope(service, principal, case_id)
    return await once.created(body, service.resumption.raise_problem(case_id, body.kind, body.description,
                                                                     body.deadline), view)


@router.post("/resumption-cases/{case_id}/problems/{issue_id}/actions", status_code=201, tags=["resumption"],
             summary="Record an action taken on an open problem")
async def record_action(case_id: str, issue_id: str, body: RecordAction, service: Service, once: OncePerKey,
                        principal: Officer) -> JSONResponse:
    await case_in_scope(service, principal, case_id)
    return await once.created(body, service.resumption.record_action(case_id, issue_id, body.description,
                                                                     principal.subject), view)


@router.post("/resumption-cases/{case_id}/problems/{issue_id}/resolve", tags=["resumption"],
             summary="Resolve a problem with its resolution")
async def resolve(case_id: str, issue_id: str, body: Resolve, service: Service, principal: Officer) -> dict[str, Any]:
    await case_in_scope(service, principal, case_id)
    return view(await service.resumption.resolve(case_id, issue_id, body.resolution, principal.subject))


@router.post("/resumption-cases/{case_id}/resume", tags=["resumption"],
             summary="The enterprise is back at work (EnterpriseResumed); every problem must be resolved")
async def resume(case_id: str, body: Resume, service: Service, principal: Officer) -> dict[str, Any]:
    await case_in_scope(service, principal, case_id)
    return case_view(await service.resumption.resume(case_id, body.workers_on_site))

