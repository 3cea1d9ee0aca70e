"""Use cases of relief parcels: receive stock, issue a parcel for a household's period, deliver it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from towngrid_kit.commits import outside_request
from towngrid_kit.errors import Conflict, NotFound
from towngrid_kit.ids import ordered_id, utcnow
from towngrid_kit.unit_of_work import UnitOfWork

from delivery.adapters.relief import DEPOT, ReliefLedger, ReliefRecipients, StockRepository
from delivery.adapters.repository import ParcelRepository
from delivery.domain.relief import ReliefParcel, ReliefStock, period_end, period_start


@dataclass(frozen=True)
class Entitlement:
    recipient: dict[str, Any]
    period_start: Any
    period_end: Any
    issued_parcel_id: str | None


class ReliefService:
    def __init__(self, recipients: ReliefRecipients, ledger: ReliefLedger, stock: StockRepository,
                 parcels: ParcelRepository, contents: dict[str, int]) -> None:
        self._recipients = recipients
        self._ledger = ledger
        # every receipt and every parcel in town changes the one depot: the most contended key there
        # is, so more attempts than the kit's default across replicas (a lost race costs two lookups)
        self._stock = UnitOfWork(stock, "relief stock", attempts=30)
        self._parcels = UnitOfWork(parcels, "relief parcel")
        self._contents = contents

    async def receive_stock(self, items: dict[str, int], by: str) -> ReliefStock:
        """The depot's stock after the receipt (its version: how many movements made it)."""
        return await self._move(lambda stock: stock.receive(items, by, utcnow()))

    async def stock_balance(self) -> tuple[dict[str, int], int]:
        """The stock on hand, item code → quantity, and how many movements made it."""
        stock = await self._stock.repo.get(DEPOT)
        return (dict(stock.balance), stock.version) if stock else ({}, 0)

    async def _move(self, change: Callable[[ReliefStock], None]) -> ReliefStock:
        def moved(stock: ReliefStock) -> ReliefStock:
            change(stock)
            return stock

        return await self._stock.change_or_create(DEPOT, moved, lambda: ReliefStock(DEPOT))

    async def recipient(self, resident_id: str) -> dict[str, Any] | None:
        """The vulnerable resident as the registry enrolled them (household, compound, schedule)."""
        return await self._recipients.get(resident_id)

    async def ledger_page(self, household_id: str | None, after: str | None, limit: int,
                          scope: dict[str, Any]) -> list[dict[str, Any]]:
        """Issue ledger entries (of the household, if given) within ``scope``, in ``_id`` order."""
        return await self._ledger.page(household_id, after, limit, scope)

    async def entitlement(self, resident_id: str, now: datetime | None = None) -> Entitlement:
        recipient = await self._recipients.get(resident_id)
        if recipient is None or not recipient.get("household_id"):
            raise NotFound(f"resident {resident_id} is not enrolled as a vulnerable resident (from the registry)")
        every = recipient.get("relief_every_days")
        if not every:
            raise Conflict(f"resident {resident_id} is enrolled without a relief parcel schedule")
        start = period_start((now or utcnow()).date(), every)
        found = await self._ledger.find(recipient["household_id"], start)
        return Entitlement(recipient, start, period_end(start, every), found["parcel_id"] if found else None)

    async def issue(self, resident_id: str, by: str, contents: dict[str, int] | None = None) -> ReliefParcel:
        now = utcnow()
        due = await self.entitlement(resident_id, now)
        household = due.recipient["household_id"]
        if due.issued_parcel_id:
            raise Conflict(f"household {household} already had parcel {due.issued_parcel_id} "
                           f"for the period from {due.period_start.isoformat()}")
        contents = contents or self._contents
        parcel_id = ordered_id("rp")
        with outside_request():  # a retry takes again: its parcel, stored last, is what answers the request
            await self._move(lambda stock: stock.issue(contents, parcel_id, by, utcnow()))
        earlier = await self._ledger.record({"household_id": household, "compound_id": due.recipient["compound_id"],
                                            "period_start": due.period_start,
                                            "parcel_id": parcel_id, "resident_id": resident_id, "contents": contents,
                                            "issued_by": by, "issued_at": now})
        if earlier is not None:  # a concurrent issue won the ledger: give the stock back
            with outside_request():  # the request's second change of the depot
                await self._move(lambda stock: stock.give_back(contents, parcel_id, by, utcnow()))
            raise Conflict(f"household {household} already had parcel {earlier['parcel_id']} "
                           f"for the period from {due.period_start.isoformat()}")
        parcel = ReliefParcel.issue(parcel_id=parcel_id, resident_id=resident_id, household_id=household,
                                    compound_id=due.recipient["compound_id"], period=due.period_start,
                                    contents=contents, by=by, at=now)
        return await self._parcels.add(parcel)

    async def get(self, parcel_id: str) -> ReliefParcel:
        return await self._parcels.get(parcel_id)

    async def deliver(self, parcel_id: str, courier_id: str) -> ReliefParcel:
        return await self._parcels.change(parcel_id, lambda parcel: parcel.deliver(courier_id, utcnow()))
