"""Relief parcels for vulnerable residents: schedule periods, a depot's stock that never goes
negative, and the parcel itself (issued → delivered). Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from towngrid_contracts.delivery import ReliefParcelDelivered, ReliefParcelIssued, ReliefStockMoved
from towngrid_contracts.envelope import EventData
from towngrid_kit.errors import Conflict, InvalidInput


def period_start(today: date, every_days: int) -> date:
    """The first day of the schedule period holding ``today``; periods of ``every_days`` days are
    counted from day 1 of the proleptic calendar, so every household on one schedule shares them."""
    n = today.toordinal() - 1
    return date.fromordinal(n - n % every_days + 1)


def period_end(start: date, every_days: int) -> date:
    return start + timedelta(days=every_days - 1)


def take(balance: dict[str, int], contents: dict[str, int]) -> dict[str, int]:
    """The balance after taking ``contents``; Conflict naming every item that would go negative."""
    short = [f"{code} (need {qty}, have {balance.get(code, 0)})" for code, qty in contents.items()
             if balance.get(code, 0) < qty]
    if short:
        raise Conflict(f"not enough relief stock: {', '.join(short)}")
    return {**balance, **{code: balance.get(code, 0) - qty for code, qty in contents.items()}}


def receive(balance: dict[str, int], items: dict[str, int]) -> dict[str, int]:
    if not items or any(qty <= 0 for qty in items.values()):
        raise InvalidInput("a receipt needs at least one item, each with a positive quantity", field="body.items")
    return {**balance, **{code: balance.get(code, 0) + qty for code, qty in items.items()}}


@dataclass
class ReliefStock:
    """One depot's relief stock: its balance, changed only by movements (each one a
    ``ReliefStockMoved`` numbered by the depot's version: receipt, issue, return)."""

    depot_id: str
    balance: dict[str, int] = field(default_factory=dict)
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    def receive(self, items: dict[str, int], by: str, at: datetime) -> None:
        self._moved("receipt", items, receive(self.balance, items), None, by, at)

    def issue(self, contents: dict[str, int], parcel_id: str, by: str, at: datetime) -> None:
        """Take a parcel's contents; Conflict naming every short item (the balance unchanged)."""
        self._moved("issue", contents, take(self.balance, contents), parcel_id, by, at)

    def give_back(self, contents: dict[str, int], parcel_id: str, by: str, at: datetime) -> None:
        """A parcel's take returned (its issue was refused after the take)."""
        self._moved("return", contents, receive(self.balance, contents), parcel_id, by, at)

    def carry(self, movement: str, items: dict[str, int], balance: dict[str, int], parcel_id: str | None, by: str,
              at: datetime) -> None:
        """A movement of the stock log kept before the depot's stock was an aggregate, as it was."""
        self._moved(movement, items, balance, parcel_id, by, at)

    def _moved(self, movement: str, items: dict[str, int], after: dict[str, int], parcel_id: str | None, by: str,
               at: datetime) -> None:
        self.balance = after
        self.pending.append(ReliefStockMoved(
            depot_id=self.depot_id, seq=self.version + len(self.pending) + 1, movement=movement, items=dict(items),
            balance=dict(after), parcel_id=parcel_id, moved_by=by, moved_at=at))


@dataclass
class ReliefParcel:
    parcel_id: str
    resident_id: str
    household_id: str
    compound_id: str
    period_start: date
    contents: dict[str, int]
    issued_by: str
    issued_at: datetime
    status: str = "issued"
    delivered_by: str | None = None
    delivered_at: datetime | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @classmethod
    def issue(cls, *, parcel_id: str, resident_id: str, household_id: str, compound_id: str, period: date,
              contents: dict[str, int], by: str, at: datetime) -> "ReliefParcel":
        parcel = cls(parcel_id=parcel_id, resident_id=resident_id, household_id=household_id, compound_id=compound_id,
                     period_start=period, contents=contents, issued_by=by, issued_at=at)
        parcel.pending.append(ReliefParcelIssued(
            parcel_id=parcel_id, resident_id=resident_id, household_id=household_id, compound_id=compound_id,
            period_start=period, items=sorted(contents), issued_at=at))
        return parcel

    def deliver(self, courier_id: str, at: datetime) -> None:
        if self.status != "issued":
            raise Conflict(f"relief parcel {self.parcel_id} is already {self.status}")
        self.status, self.delivered_by, self.delivered_at = "delivered", courier_id, at
        self.pending.append(ReliefParcelDelivered(
            parcel_id=self.parcel_id, resident_id=self.resident_id, household_id=self.household_id,
            compound_id=self.compound_id, items=sorted(self.contents), courier_id=courier_id, delivered_at=at))
