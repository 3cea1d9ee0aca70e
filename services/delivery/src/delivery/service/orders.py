"""Use cases of orders: place (priced and checked), then each step of the lifecycle."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from towngrid_kit.ids import utcnow
from towngrid_kit.unit_of_work import UnitOfWork

from delivery.adapters.projections import Households, MerchantPermits
from delivery.adapters.repository import MerchantRepository, OrderRepository
from delivery.adapters.pickup import PickupSlots
from delivery.adapters.teams import Teams
from delivery.domain import handover
from delivery.domain.order import Order, Proof, RequestedLine
from towngrid_kit.ids import ordered_id


@dataclass(frozen=True)
class PlaceOrder:
    merchant_id: str
    household_id: str
    compound_id: str | None
    channel: str
    lines: list[RequestedLine]
    shopping_list: str | None = None


class OrderService:
    def __init__(self, orders: OrderRepository, merchants: MerchantRepository, permits: MerchantPermits,
                 households: Households, teams: Teams, slots: PickupSlots, *,
                 pickup_hold: timedelta = timedelta(hours=24)) -> None:
        self._orders = UnitOfWork(orders, "order")
        self._merchants = merchants
        self._permits = permits
        self._households = households
        self._teams = teams
        self._slots = slots
        self._hold = pickup_hold

    async def place(self, command: PlaceOrder, by: str) -> Order:
        """A shop that may not sell is refused before anything about the household is looked at
        (its compound is the one given, if any); otherwise the household's registry record decides
        the compound and the destination. A placed order carries a new handover code
        (``order.issued_code``, in this answer only)."""
        now = utcnow()
        merchant, allowed = await asyncio.gather(self._merchants.get(command.merchant_id),
                                                 self._permits.allowed(command.merchant_id, now))
        if merchant is None:
            raise NotFound(f"no merchant {command.merchant_id}", field="body.merchant_id")
        compound_id, in_quarantine = command.compound_id, None
        if allowed:
            household = await self._households.get(command.household_id)
            if household is not None:
                compound_id = household.compound_id
            if compound_id is None:
                raise InvalidInput(f"household {command.household_id} is not known from the registry's events: "
                                   "give its compound_id", field="body.compound_id")
            in_quarantine = household.in_quarantine if household else False
        order = Order.place(
            order_id=ordered_id("ord"), household_id=command.household_id, compound_id=compound_id,
            merchant_id=merchant.merchant_id, merchant_allowed=allowed,
            price_list=merchant.price_list_at(now), requested=command.lines, channel=command.channel,
            placed_by="resident" if command.channel == "online" else "staff",
            in_quarantine=in_quarantine, by=by, now=now, shopping_list=command.shopping_list,
            handover_code=handover.new_code(),
        )
        return await self._orders.add(order)

    async def compound_of(self, household_id: str, given: str | None) -> str | None:
        """The compound an order for the household goes to: the registry's, else the one given."""
        household = await self._households.get(household_id)
        return household.compound_id if household else given

    async def get(self, order_id: str) -> Order:
        return await self._orders.get(order_id)

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Order]:
        return await self._orders.repo.find(filters, after=after, limit=limit)

    async def accept(self, order_id: str, by: str, merchant_id: str | None = None) -> Order:
        def change(order: Order) -> None:
            if merchant_id is not None and order.merchant_id != merchant_id:
                raise NotFound(f"no order {order_id} for merchant {merchant_id}")
            order.accept(by, utcnow())
        return await self._change(order_id, change)

    async def assign(self, order_id: str, team_id: str, courier_id: str, by: str) -> Order:
        team = await self._teams.get(team_id)
        if team is None:
            raise NotFound(f"no team {team_id}", field="body.team_id")
        if courier_id not in team["members"]:
            raise InvalidInput(f"courier {courier_id} is not a member of team {team_id}", field="body.courier_id")

        claimed = False

        async def seat_and_assign(order: Order) -> None:
            nonlocal claimed
            if order.status != "accepted":
                raise Conflict(f"order {order_id} is {order.status}; only an accepted order can be assigned")
            await self._teams.claim(team, order_id, self._holds_slot)  # the same seat again on a retry
            claimed = True
            order.assign(team_id, courier_id, by, utcnow())

        try:
            return await self._orders.change(order_id, seat_and_assign)
        except BaseException:
            if claimed:
                await self._teams.release(order_id)
            raise

    async def pick_up(self, order_id: str, by: str) -> Order:
        return await self._change(order_id, lambda o: o.pick_up(by, utcnow()))

    async def deliver(self, order_id: str, by: str, proof: Proof) -> Order:
        return await self._change(order_id, lambda o: o.deliver(by, utcnow(), proof), release=True)

    async def hand_to_checkpoint(self, order_id: str, by: str) -> Order:
        """Leave it at the checkpoint, booked into the earliest collection slot with room (or, if none,
        held for the default time from now): the order then tells the household where and when."""
        booked = False

        async def hand_over(order: Order) -> None:
            nonlocal booked
            order.check_can_hand_to_checkpoint()
            now = utcnow()
            assert order.checkpoint_id is not None
            booked = True  # the same seat again on a retry
            pickup = await self._slots.book(order.checkpoint_id, order_id, now) or {
                "checkpoint_id": order.checkpoint_id, "slot_id": None, "from": now, "until": now + self._hold}
            order.hand_to_checkpoint(by, now, pickup)

        try:
            order = await self._orders.change(order_id, hand_over)
        except BaseException:
            if booked:
                await self._slots.release(order_id)
            raise
        await self._teams.release(order_id)
        return order

    async def team_queue(self, team_id: str, scope: dict[str, Any], after: str | None, limit: int) -> list[Order]:
        """The team's orders not yet delivered or handed over (assigned or picked up), oldest first,
        within ``scope`` (a filter on the orders' fields, e.g. the caller's compounds)."""
        filters = {"team_id": team_id, "status": {"$in": ["assigned", "picked_up"]}} | scope
        return await self._orders.repo.find(filters, after=after, limit=limit)

    async def uncollected(self, checkpoint_id: str | None, after: str | None, limit: int) -> list[Order]:
        """Parcels at a checkpoint whose collection time has passed."""
        filters: dict[str, Any] = {"status": "handed_to_checkpoint", "pickup_until": {"$lt": utcnow()}}
        if checkpoint_id:
            filters["checkpoint_id"] = checkpoint_id
        return await self._orders.repo.find(filters, after=after, limit=limit)

    async def collect(self, order_id: str, by: str, code: str | None) -> Order:
        return await self._change(order_id, lambda o: o.collect(by, utcnow(), code))

    async def fail(self, order_id: str, reason: str, by: str, note: str | None) -> Order:
        return await self._change(order_id, lambda o: o.fail(reason, by, utcnow(), note), release=True)

    async def cancel(self, order_id: str, cancelled_by: str, reason: str, by: str, note: str | None) -> Order:
        return await self._change(order_id, lambda o: o.cancel(cancelled_by, reason, by, utcnow(), note),
                                  release=True)

    async def _holds_slot(self, order_id: str, team_id: str) -> bool:
        order = await self._orders.repo.get(order_id)
        return order is not None and order.holds_team_slot and order.team_id == team_id

    async def _change(self, order_id: str, change: Callable[[Order], object], *, release: bool = False) -> Order:
        order = await self._orders.change(order_id, change)
        if release:
            await self._teams.release(order_id)
        return order
