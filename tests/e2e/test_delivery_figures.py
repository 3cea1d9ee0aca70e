"""Delivery's ``/figures`` on the real stack (issue 17): every figure moves by exactly what the test
does (a merchant registered, reopened, suspended and reinstated; an order refused and one taken to
collection at the checkpoint; a relief parcel issued from stock received and delivered), and only
staff and the county read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from board_support import change
from delivery_support import (
    PRICES,
    enrol,
    issued,
    new_team,
    order_body,
    permit_fields,
    send_permit_events,
    to_checkpoint,
    uid,
    wait_allowed,
)
from e2e_support import System, eventually
from towngrid_contracts.permits import PermitReinstated, PermitSuspended
from towngrid_kit.auth import Role


async def figures(delivery: httpx.AsyncClient) -> dict[str, Any]:
    got = await delivery.get("/figures")
    assert got.status_code == 200, got.text
    return {k: v for k, v in got.json().items() if k != "as_of"}


def moves(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """How each figure moved since ``before``; figures that did not move left out."""
    found = {}
    for name, value in after.items():
        if moved := change(value, before.get(name, {} if isinstance(value, dict) else 0)):
            found[name] = moved
    return found


async def settled(delivery: httpx.AsyncClient) -> dict[str, Any]:
    """The figures once two reads a second apart are alike (what earlier tests sent has arrived)."""
    last: dict[str, Any] | None = None

    async def alike() -> dict[str, Any] | None:
        nonlocal last
        previous, last = last, await figures(delivery)
        return last if last == previous else None

    return await eventually(alike, timeout=60, interval=1)


async def moved_by(delivery: httpx.AsyncClient, before: dict[str, Any], expected: dict[str, Any]) -> None:
    """Wait until the figures have moved since ``before`` by ``expected`` exactly (the others by nothing)."""
    last: dict[str, Any] = {}

    async def check() -> bool:
        nonlocal last
        last = moves(await figures(delivery), before)
        return last == expected

    try:
        await eventually(check, timeout=60, interval=0.5)
    except AssertionError:
        raise AssertionError(f"the figures moved by {last}, expected {expected}") from None


async def test_the_figures_move_by_exactly_what_is_done(system: System) -> None:
    now = datetime.now(UTC)
    async with system.client("delivery") as delivery:
        before = await settled(delivery)

        merchant_id = uid("mer")
        made = await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "城关便民店",
                                                       "kind": "shop", "community_id": "C03"})
        assert made.status_code == 201, made.text
        assert (await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": PRICES})).status_code == 201
        await moved_by(delivery, before, {"merchants_registered": 1})

        permit_id = uid("pmt")
        await send_permit_events(system, permit_id, [(2, issued(merchant_id, permit_id))])
        await wait_allowed(delivery, merchant_id, True)
        await moved_by(delivery, before, {"merchants_registered": 1, "merchants_open": 1})
        await send_permit_events(system, permit_id, [(3, PermitSuspended(
            **permit_fields(merchant_id, permit_id), reason="under_investigation", suspended_at=now))])
        await moved_by(delivery, before, {"merchants_registered": 1})
        await send_permit_events(system, permit_id, [(4, PermitReinstated(
            **permit_fields(merchant_id, permit_id), valid_until=now + timedelta(days=10), reinstated_at=now))])
        await wait_allowed(delivery, merchant_id, True)
        merchant = {"merchants_registered": 1, "merchants_open": 1}
        await moved_by(delivery, before, merchant)

        refused = await delivery.post("/orders", json=order_body(merchant_id, lines=[{"sku": "NO-SUCH", "quantity": 1}]))
        assert refused.status_code == 422 and refused.json()["reason"] == "unknown_sku", refused.text
        await moved_by(delivery, before, merchant | {"orders_placed": 1, "orders_by_status": {"rejected": 1}})

        team_id = await new_team(delivery)
        placed = await delivery.post("/orders", json=order_body(merchant_id, channel="online"))
        assert placed.status_code == 201, placed.text
        order_id, code = placed.json()["order_id"], placed.json()["handover_code"]
        await moved_by(delivery, before, merchant | {"orders_placed": 2,
                                                     "orders_by_status": {"rejected": 1, "placed": 1}})
        await to_checkpoint(delivery, order_id, team_id)
        await moved_by(delivery, before, merchant | {"orders_placed": 2,
                                                     "orders_by_status": {"rejected": 1, "handed_to_checkpoint": 1}})
        collected = await delivery.post(f"/orders/{order_id}/collect", json={"code": code})
        assert collected.status_code == 200, collected.text
        orders = {"orders_placed": 2, "orders_by_status": {"rejected": 1, "collected": 1}, "orders_completed": 1}
        await moved_by(delivery, before, merchant | orders)

        resident_id, _ = await enrol(system)
        rice, oil = f"rice_{uid('x')[-8:]}", f"oil_{uid('x')[-8:]}"
        received = await delivery.post("/relief-stock/receipts", json={"items": {rice: 5, oil: 1}})
        assert received.status_code == 201, received.text
        await moved_by(delivery, before, merchant | orders | {"relief_stock": {rice: 5, oil: 1}})
        parcel = await delivery.post("/relief-parcels", json={"resident_id": resident_id, "contents": {rice: 2, oil: 1}})
        assert parcel.status_code == 201, parcel.text
        relief = {"relief_parcels_issued": 1, "relief_stock": {rice: 3}}  # no oil left: as before
        await moved_by(delivery, before, merchant | orders | relief)
        delivered = await delivery.post(f"/relief-parcels/{parcel.json()['parcel_id']}/deliver")
        assert delivered.status_code == 200, delivered.text
        await moved_by(delivery, before, merchant | orders | relief | {"relief_parcels_delivered": 1})
        stock = (await figures(delivery))["relief_stock"]
        assert (stock[rice], stock[oil]) == (3, 0)


async def test_only_staff_and_the_county_read_the_figures(system: System) -> None:
    async with system.client("delivery", role=Role.COUNTY_SUBSCRIBER) as county:
        got = await county.get("/figures")
        assert got.status_code == 200, got.text
        assert {"merchants_open", "orders_by_status", "relief_stock"} <= set(got.json())
    async with system.client("delivery", role=Role.COMMUNITY_OFFICER, scope="community:C03") as officer:
        assert (await officer.get("/figures")).status_code == 200  # town-wide counts, no personal data
    for role, organisation in ((Role.COMPOUND_VOLUNTEER, None), (Role.MERCHANT, uid("mer")), (Role.BOARD_VIEWER, None)):
        async with system.client("delivery", role=role, organisation=organisation) as outsider:
            refused = await outsider.get("/figures")
        assert refused.status_code == 403, (role, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert not any(word in refused.text for word in ("merchants", "orders", "relief", "stock")), refused.text
    async with system.client("delivery", role=None) as anonymous:
        assert (await anonymous.get("/figures")).status_code == 401
