"""The relief-parcel part of the delivery api: stock, entitlements, parcels and the ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from towngrid_kit.grid import ensure_compound, grid_filter
from towngrid_kit.http import After, Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.paging import Page, page_of

from delivery.domain.relief import ReliefParcel
from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FieldWorker, Staff

ItemCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Contents = dict[ItemCode, Annotated[int, Field(ge=1, le=1_000_000)]]

router = APIRouter(tags=["relief parcels"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StockReceipt(_Body):
    items: Contents = Field(min_length=1, description='Item code → quantity received, e.g. {"rice": 200}.')


class IssueParcel(_Body):
    resident_id: Annotated[str, Field(min_length=1, max_length=80)]
    contents: Contents | None = Field(default=None, min_length=1,
                                      description="What this parcel holds; default the configured parcel.")


class StockView(BaseModel):
    balance: dict[str, int]
    movements: int


class EntitlementView(BaseModel):
    resident_id: str
    household_id: str
    compound_id: str
    category: str | None
    relief_every_days: int
    period_start: date
    period_end: date
    issued_parcel_id: str | None = Field(description="The parcel already issued to the household this period.")


class ParcelView(BaseModel):
    parcel_id: str
    resident_id: str
    household_id: str
    compound_id: str
    period_start: date
    contents: dict[str, int]
    status: str
    issued_by: str
    issued_at: datetime
    delivered_by: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, p: ReliefParcel) -> "ParcelView":
        return cls(**{k: v for k, v in vars(p).items() if k in cls.model_fields})


@router.post("/relief-stock/receipts", status_code=201, response_model=StockView,
             summary="Record relief supplies received into stock")
async def receive_stock(body: StockReceipt, svc: Svc, principal: Staff, once: OncePerKey) -> JSONResponse:
    return await once.created(body, svc.relief.receive_stock(body.items, principal.subject),
                              lambda stock: StockView(balance=stock.balance, movements=stock.version))


@router.get("/relief-stock", response_model=StockView, summary="Relief stock on hand")
async def get_stock(svc: Svc, _: FieldWorker) -> StockView:
    balance, seq = await svc.relief.stock_balance()
    return StockView(balance=balance, movements=seq)


@router.get("/relief-recipients/{resident_id}", response_model=EntitlementView,
            summary="A vulnerable resident's parcel schedule, current period, and whether it was issued")
async def get_entitlement(resident_id: str, svc: Svc, principal: FieldWorker) -> EntitlementView:
    e = await svc.relief.entitlement(resident_id)
    r = e.recipient
    await ensure_compound(principal, svc.grid, r.get("compound_id"))
    return EntitlementView(resident_id=resident_id, household_id=r["household_id"], compound_id=r["compound_id"],
                           category=r.get("category"), relief_every_days=r["relief_every_days"],
                           period_start=e.period_start, period_end=e.period_end, issued_parcel_id=e.issued_parcel_id)


@router.post("/relief-parcels", status_code=201, response_model=ParcelView,
             summary="Issue a relief parcel (one per household and schedule period; stock never negative)")
async def issue_parcel(body: IssueParcel, svc: Svc, principal: Staff, once: OncePerKey) -> JSONResponse:
    recipient = await svc.relief.recipient(body.resident_id)
    if recipient is not None:  # an unknown resident is the use case's 404
        await ensure_compound(principal, svc.grid, recipient.get("compound_id"))
    return await once.created(body, svc.relief.issue(
        body.resident_id, principal.subject, body.contents,
    ), ParcelView.of)


@router.get("/relief-parcels/{parcel_id}", response_model=ParcelView, summary="A relief parcel")
async def get_parcel(parcel_id: str, svc: Svc, principal: FieldWorker) -> ParcelView:
    parcel = await svc.relief.get(parcel_id)
    await ensure_compound(principal, svc.grid, parcel.compound_id)
    return ParcelView.of(parcel)


@router.post("/relief-parcels/{parcel_id}/deliver", response_model=ParcelView,
             summary="The parcel was handed to the resident (the registry counts it as a care visit)")
async def deliver_parcel(parcel_id: str, svc: Svc, principal: FieldWorker) -> ParcelView:
    await ensure_compound(principal, svc.grid, (await svc.relief.get(parcel_id)).compound_id)
    return ParcelView.of(await svc.relief.deliver(parcel_id, principal.subject))


@router.get("/relief-ledger", response_model=Page[dict[str, Any]], summary="The append-only issue ledger, a page at a time")
async def list_ledger(svc: Svc, principal: FieldWorker, household_id: str | None = None, after: After = None,
                      limit: Limit = 50) -> Page[dict[str, Any]]:
    found = await svc.relief.ledger_page(household_id, after, limit + 1, await grid_filter(principal, svc.grid))
    return page_of(found, limit, lambda d: d["_id"], _entry)


def _entry(doc: dict[str, Any]) -> dict[str, Any]:
    """A ledger entry as listed: its ``_id`` as ``entry_id``, the time it was issued in ISO form."""
    entry = {"entry_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
    entry["issued_at"] = entry["issued_at"].isoformat()
    return entry
