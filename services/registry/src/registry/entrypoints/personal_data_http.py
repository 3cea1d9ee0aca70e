"""Unmasked personal data, one person at a time, with a stated purpose; and the audit of such reads.

Every other view shows the national ID number and the mobile masked (a compound volunteer not
even that). To see them, a town administrator, or a community officer for a resident in their
scope, POSTs which items they need and why; the read is recorded (``registry.audit.v1``, and
``GET /audit/personal-data-reads``) before the values are returned. A POST, not a GET with
query parameters: it records something, and nothing personal goes into a URL or an access log.
There is no list or export of unmasked values, and each person's unmasked reads are limited per
hour (``REGISTRY_UNMASKED_READS_PER_HOUR``): over it, 429 with ``Retry-After``, nothing shown,
and one alert for that person and hour (``GET /personal-data/alerts``). The audit is read per
resident (``GET /audit/personal-data-reads``) or per reader and time (``GET /personal-data/reads``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field

from towngrid_kit.http import Limit, from_state
from towngrid_kit.paging import Page, page_of
from towngrid_kit.ratelimit import retry_after_header
from registry.entrypoints.inputs import Body
from registry.entrypoints.scoping import Guard
from registry.service.personal_data import PersonalDataService, QuotaExceeded
from registry.entrypoints.roles import Auditor, Unmasker


router = APIRouter(tags=["personal data"])

Item = Literal["national_id", "mobile", "address"]


PersonalData = Annotated[PersonalDataService, from_state("personal_data")]


class ReadPersonalData(Body):
    items: list[Item] = Field(min_length=1, max_length=3, description="What to show unmasked.")
    purpose: str = Field(min_length=1, max_length=40,
                         description="Why, from the registry's list (REGISTRY_PERSONAL_DATA_PURPOSES), "
                                     "e.g. contact_tracing, medical_emergency.")
    note: str = Field(min_length=5, max_length=500,
                      description="Free text: the case or task this is for. Kept in the registry's audit log "
                                  "(never published).")
    earlier: bool = Field(default=False, description="Also the values that re-registrations of the same ID number "
                                                     "replaced (of these items, and earlier names), oldest first; "
                                                     "recorded in the audit.")


class EarlierView(BaseModel):
    replaced_at: datetime
    values: dict[str, str] = Field(description="The replaced values, by field (name, mobile, address).")


class PersonalDataView(BaseModel):
    resident_id: str
    read_id: str = Field(description="The audit record of this read.")
    purpose: str
    items: list[Item]
    national_id: str | None = None
    mobile: str | None = None
    address: str | None = None
    earlier: list[EarlierView] | None = Field(default=None, description="Asked for with `earlier`: the file's "
                                              "replaced values, oldest first.")
    read_at: datetime


class ReadAudit(BaseModel):
    number: int = Field(description="The read's number in this person's log (pass the last as `after`).")
    read_id: str
    resident_id: str
    read_by: str
    reader_role: str
    reader_scope: str
    items: list[Item]
    purpose: str
    note: str
    read_at: datetime
    earlier: bool = Field(default=False, description="Whether replaced values were shown too.")


class QuotaAlertView(BaseModel):
    alert_id: str
    reader: str
    reader_role: str
    reader_scope: str
    limit: int = Field(description="Unmasked reads allowed per hour when the alert was raised.")
    window_start: datetime
    window_end: datetime
    raised_at: datetime = Field(description="The first refused read of that hour.")


class TaskListAudit(BaseModel):
    list_id: str
    read_by: str
    reader_role: str
    reader_scope: str
    resident_ids: list[str] = Field(description="Whose name, address and quarantine status the page showed.")
    shown: int
    served_at: datetime


class ReadAuditPage(BaseModel):
    """Not the kit's ``Page``: a person's reads are followed by their number in the log (the
    commit chain, by ``_id``), so ``after`` and ``next_after`` are that number, an int."""

    items: list[ReadAudit]
    next_after: int | None


@router.post("/residents/{resident_id}/personal-data-reads", status_code=201, response_model=PersonalDataView,
             summary="Read a resident's national ID, mobile or address unmasked, stating the purpose (audited)")
async def read_personal_data(resident_id: str, body: ReadPersonalData, response: Response, guard: Guard,
                             service: PersonalData, principal: Unmasker) -> PersonalDataView:
    resident = await guard.resident(principal, resident_id)
    try:
        record, values = await service.read(resident, principal, list(body.items), body.purpose, body.note,
                                            earlier=body.earlier)
    except QuotaExceeded as over:
        raise HTTPException(429, f"{over}; retry in {retry_after_header(over.retry_after_s)['Retry-After']} s",
                            headers=retry_after_header(over.retry_after_s)) from None
    response.headers["Cache-Control"] = "no-store"
    earlier = values.pop("earlier", None)
    return PersonalDataView(resident_id=resident_id, read_id=record.read_id, purpose=record.purpose,
                            items=record.items, read_at=record.read_at, **values,
                            earlier=None if earlier is None else [EarlierView(**vars(e)) for e in earlier])


@router.get("/audit/personal-data-reads", response_model=ReadAuditPage,
            summary="Who read a resident's personal data unmasked, what, when and why (town administrators)")
async def personal_data_reads(guard: Guard, service: PersonalData, principal: Auditor,
                              resident_id: Annotated[str, Query(min_length=1, description="Whose reads.")],
                              after: Annotated[int, Query(ge=0)] = 0, limit: Limit = 50) -> ReadAuditPage:
    await guard.resident(principal, resident_id)
    found = await service.reads(resident_id, after, limit + 1)
    items = [ReadAudit(number=n, **vars(r)) for n, r in found[:limit]]
    return ReadAuditPage(items=items, next_after=items[-1].number if len(found) > limit else None)


@router.get("/personal-data/reads", response_model=Page[ReadAudit],
            summary="Unmasked reads by one reader (token subject), oldest first, in a time range (town administrators)")
async def reads_by_reader(guard: Guard, service: PersonalData, principal: Auditor,
                          reader: Annotated[str, Query(min_length=1, max_length=200, description="The reader's subject.")],
                          since: Annotated[datetime | None, Query(description="From (inclusive).")] = None,
                          until: Annotated[datetime | None, Query(description="Until (exclusive).")] = None,
                          after: Annotated[str | None, Query(max_length=100)] = None,
                          limit: Limit = 50) -> Page[ReadAudit]:
    await guard.town(principal)  # one reader's reads span the town
    found = await service.reads_by(reader, since, until, after, limit + 1)
    return page_of(found, limit, lambda r: r[1].read_id, lambda r: ReadAudit(number=r[0], **vars(r[1])))


@router.get("/personal-data/alerts", response_model=Page[QuotaAlertView],
            summary="Readers who went over the hourly quota of unmasked reads, one alert per reader and hour "
                    "(town administrators)")
async def quota_alerts(guard: Guard, service: PersonalData, principal: Auditor,
                       after: Annotated[str | None, Query(max_length=300)] = None,
                       limit: Limit = 50) -> Page[QuotaAlertView]:
    await guard.town(principal)
    found = await service.alerts(after, limit + 1)
    return page_of(found, limit, lambda a: a.alert_id, lambda a: QuotaAlertView(**vars(a)))


@router.get("/personal-data/task-lists", response_model=Page[TaskListAudit],
            summary="Task-list pages (names, addresses, quarantine status) served to a compound volunteer, "
                    "oldest first, in a time range (town administrators)")
async def task_lists_by_reader(guard: Guard, service: PersonalData, principal: Auditor,
                               reader: Annotated[str, Query(min_length=1, max_length=200)],
                               since: Annotated[datetime | None, Query(description="From (inclusive).")] = None,
                               until: Annotated[datetime | None, Query(description="Until (exclusive).")] = None,
                               after: Annotated[str | None, Query(max_length=100)] = None,
                               limit: Limit = 50) -> Page[TaskListAudit]:
    await guard.town(principal)
    found = await service.task_lists_by(reader, since, until, after, limit + 1)
    return page_of(found, limit, lambda t: t.list_id, lambda t: TaskListAudit(**vars(t)))
