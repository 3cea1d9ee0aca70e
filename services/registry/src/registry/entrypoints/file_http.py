"""A person's file beyond registration: planned-end changes, close contacts, the whole history."""

from __future__ import annotations


from fastapi import APIRouter
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from registry.entrypoints.appeal_schemas import AppealView
from registry.entrypoints.quarantine_schemas import (
    ChangePlannedEnd,
    ContactView,
    LinkContact,
    QuarantineView,
    StartQuarantine,
)
from registry.entrypoints.schemas import FileEvent, HistoryView, ResidentView
from registry.entrypoints.deps import Residents
from registry.entrypoints.scoping import Guard
from registry.entrypoints.roles import Staff


router = APIRouter(tags=["one file per person"])




@router.post("/residents/{resident_id}/quarantines/{quarantine_id}/planned-end", response_model=QuarantineView,
             summary="Extend or shorten a quarantine, with the reason")
async def change_planned_end(resident_id: str, quarantine_id: str, body: ChangePlannedEnd, service: Residents,
                             principal: Staff, guard: Guard) -> QuarantineView:
    await guard.resident(principal, resident_id)
    resident, _ = await service.change_planned_end(resident_id, quarantine_id, body.planned_end, body.reason_code,
                                                   body.note, principal.subject)
    return QuarantineView.of(resident.quarantine(quarantine_id))


@router.post("/residents/{resident_id}/contacts", status_code=201, response_model=ContactView,
             summary="Link a close contact to this case")
async def link_contact(resident_id: str, body: LinkContact, service: Residents, principal: Staff, guard: Guard,
                       once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)
    await guard.other_resident(principal, body.contact_resident_id, "body.contact_resident_id")
    return await once.created(body, service.link_contact(resident_id, body.contact_resident_id, body.last_contact_on,
                                                         principal.subject), lambda link: ContactView(**vars(link)))


@router.post("/residents/{resident_id}/contacts/{contact_id}/quarantine", status_code=201,
             response_model=QuarantineView, summary="Put a linked close contact into quarantine from the case")
async def quarantine_contact(resident_id: str, contact_id: str, body: StartQuarantine, service: Residents,
                             principal: Staff, guard: Guard, once: OncePerKey) -> JSONResponse:
    await guard.resident(principal, resident_id)
    await guard.resident(principal, contact_id)

    async def action() -> tuple[int, object]:
        _, quarantine = await service.quarantine_contact(resident_id, contact_id, body.kind, body.planned_end,
                                                         body.started_at, reason_code=body.reason_code,
                                                         note=body.note, by=principal.subject)
        return 201, QuarantineView.of(quarantine).model_dump(mode="json")

    return await once(body, action)


@router.get("/residents/{resident_id}/history", response_model=HistoryView,
            summary="The whole file of a person: returns, checklist, quarantines, checks, contacts, in order")
async def history(resident_id: str, service: Residents, guard: Guard, principal: Staff) -> HistoryView:
    await guard.resident(principal, resident_id)
    resident, events, cases = await service.history(resident_id)
    return HistoryView(
        resident=ResidentView.of(resident), contact_of=cases,
        events=[FileEvent(event_type=e["event_type"], occurred_at=e["occurred_at"], version=e["aggregate_version"],
                          data=e["data"]) for e in events],
        appeals=[AppealView.of(resident.resident_id, a) for a in resident.appeals],
    )
