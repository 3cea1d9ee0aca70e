"""The registry's HTTP api: returnees and their quarantine files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.errors import NotFound
from towngrid_kit.http import ApiResources, Limit, create_app, serve
from towngrid_kit.paging import Page
from towngrid_kit.settings import load_settings
from registry.bootstrap import answer_sealing, build_appeal_service, build_duty_service, build_personal_data_service, build_isolation_service, build_services, build_tip_service
from registry.config import RegistrySettings
from registry.domain.resident import Person
from registry.entrypoints.appeals_http import router as appeals_router
from registry.entrypoints.care_http import router as care_router
from registry.entrypoints.duty_http import router as duty_router
from registry.entrypoints.figures_http import router as figures_router
from registry.entrypoints.personal_data_http import router as personal_data_router
from registry.entrypoints.file_http import router as file_router
from registry.entrypoints.grid_http import router as grid_router
from registry.entrypoints.isolation_http import router as isolation_router
from registry.entrypoints.tips_http import public_routes as tips_public_routes
from registry.entrypoints.tips_http import router as tips_router
from registry.entrypoints.quarantine_schemas import (
    EndQuarantine,
    HealthCheckView,
    QuarantineView,
    RecordHealthCheck,
    StartQuarantine,
)
from registry.entrypoints.schemas import (
    ChecklistItemView,
    ChecklistView,
    RegisterReturnee,
    RegistrationView,
    ResidentView,
    VerifyItem,
)
from registry.entrypoints.deps import Residents
from registry.entrypoints.scoping import Guard, ScopeGuard
from registry.entrypoints.task_views import ResidentTaskView, resident_page, resident_view, sees_tasks_only
from registry.entrypoints.personal_data_http import PersonalData
from registry.service.residents import Registration
from registry.entrypoints.roles import Checker, Staff


router = APIRouter(tags=["residents"])




@router.post("/residents", status_code=201, response_model=RegistrationView,
             summary="Register a returnee (the same national ID again updates that file)")
async def register_returnee(body: RegisterReturnee, service: Residents, guard: Guard, principal: Staff,
                            once: OncePerKey) -> JSONResponse:
    await guard.compound(principal, body.compound_id)

    async def action() -> tuple[int, object]:
        done = await service.register_returnee(Registration(
            person=Person(national_id=body.national_id, name=body.name, mobile=body.mobile, address=body.address),
            compound_id=body.compound_id, household_id=body.household_id,
            neighbour_group_id=body.neighbour_group_id, origin_province=body.origin_province,
            origin_city=body.origin_city, travel_mode=body.travel_mode, arrived_on=body.arrived_on,
        ), within=principal)
        view = RegistrationView(created=done.created, changed=done.changed, holder_key=done.holder_key,
                                resident=ResidentView.of(done.resident))
        return (201 if done.created else 200), view.model_dump(mode="json")

    return await once(body, action)


@router.get("/residents/{resident_id}", response_model=ResidentView | ResidentTaskView,
            summary="A resident's whole file (a compound volunteer gets the task view: no ID number, no phone)")
async def get_resident(resident_id: str, guard: Guard, principal: Checker) -> ResidentView | ResidentTaskView:
    return resident_view(principal, await guard.resident(principal, resident_id))


@router.get("/residents", response_model=Page[ResidentView] | Page[ResidentTaskView],
            summary="List residents in your scope, a page at a time (task views for a compound volunteer)")
async def list_residents(service: Residents, guard: Guard, personal_data: PersonalData, principal: Checker,
                         compound_id: str | None = None, in_quarantine: bool | None = None,
                         after: Annotated[str | None, Query(description="The last resident_id of the previous page.")] = None,
                         limit: Limit = 50) -> Page[ResidentView] | Page[ResidentTaskView]:
    compounds = await guard.compounds(principal, compound_id)
    found = await service.page(compound_ids=compounds, in_quarantine=in_quarantine, after=after, limit=limit + 1)
    page = resident_page(principal, found, limit)
    if sees_tasks_only(principal) and page.items:  # names and addresses: audited before they are served
        await personal_data.task_list_served(principal, [r.resident_id for r in page.items])
    return page


@router.post("/residents/{resident_id}/quarantines", status_code=201, response_model=QuarantineView,
             summary="Start a quarantine (home or at the centralized isolation point), with the reason")
async def start_quarantine(resident_id: str, body: StartQuarantine, service: Residents, principal: Staff,
                           guard: Guard, once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)

    async def action() -> tuple[int, object]:
        _, quarantine = await service.start_quarantine(resident_id, body.kind, body.planned_end, body.started_at,
                                                       reason_code=body.reason_code, note=body.note,
                                                       by=principal.subject)
        return 201, QuarantineView.of(quarantine).model_dump(mode="json")

    return await once(body, action)


@router.post("/residents/{resident_id}/quarantines/{quarantine_id}/health-checks", status_code=201,
             response_model=HealthCheckView, summary="Record a daily health check (fever raises an alert)")
async def record_health_check(resident_id: str, quarantine_id: str, body: RecordHealthCheck, service: Residents,
                              principal: Checker, guard: Guard, once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)

    async def action() -> tuple[int, object]:
        _, check = await service.record_health_check(
            resident_id, quarantine_id, body.temperature_c, body.symptoms, principal.subject, body.checked_at)
        return 201, HealthCheckView.of(check).model_dump(mode="json")

    return await once(body, action)


@router.post("/residents/{resident_id}/quarantines/{quarantine_id}/end", response_model=QuarantineView,
             summary="End a quarantine with its outcome and the reason")
async def end_quarantine(resident_id: str, quarantine_id: str, body: EndQuarantine, service: Residents,
                         principal: Staff, guard: Guard) -> QuarantineView:
    await guard.resident(principal, resident_id)
    resident = await service.end_quarantine(resident_id, quarantine_id, body.outcome, body.ended_at,
                                            reason_code=body.reason_code, note=body.note, by=principal.subject)
    return QuarantineView.of(resident.quarantine(quarantine_id))


@router.get("/residents/{resident_id}/checklist", response_model=ChecklistView,
            summary="A returnee's follow-up checklist: who verified what, when, and what is overdue")
async def get_checklist(resident_id: str, guard: Guard, principal: Checker) -> ChecklistView:
    resident = await guard.resident(principal, resident_id)
    if resident.checklist is None:
        raise NotFound(f"resident {resident_id} has no follow-up checklist")
    return ChecklistView.of(resident.checklist)


@router.post("/residents/{resident_id}/checklist/items/{item_code}/verify", response_model=ChecklistItemView,
             summary="Tick a checklist item (the caller is recorded as the verifier)")
async def verify_checklist_item(resident_id: str, item_code: str, body: VerifyItem, service: Residents, guard: Guard,
                                principal: Checker) -> ChecklistItemView:
    await guard.resident(principal, resident_id)
    _, item = await service.verify_checklist_item(resident_id, item_code, principal.subject, body.verified_at)
    return ChecklistItemView.of(item)


def create_registry_app(settings: RegistrySettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.idempotency.sealing = answer_sealing(settings)  # a registration's answer holds a holder key
        app.state.residents, app.state.grid = await build_services(resources.db, settings)
        app.state.isolation = await build_isolation_service(resources.db, app.state.residents)
        app.state.tips = await build_tip_service(resources.db, app.state.residents)
        app.state.duty = await build_duty_service(resources.db, settings, app.state.grid.repository)
        app.state.personal_data = await build_personal_data_service(resources.db, settings)
        app.state.appeals = build_appeal_service(resources.db, settings, app.state.residents)
        app.state.scope = ScopeGuard(app.state.grid.repository, settings.town_id, app.state.residents,
                                     app.state.tips, app.state.isolation, app.state.duty)

    return create_app(service="registry", settings=settings, routers=[router, file_router, care_router, grid_router, isolation_router, tips_router, duty_router, figures_router, appeals_router, personal_data_router], setup=setup,
                      public_routes=tips_public_routes(settings),
                      description="Returnees, quarantine files and health checks. Personal data stays here.")


def main() -> None:
    settings = load_settings(RegistrySettings)
    serve(create_registry_app(settings), settings)
