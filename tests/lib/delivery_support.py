"""Helpers for the delivery service's tests on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from e2e_support import System, eventually, produce_many
from people import returnee
from towngrid_contracts.envelope import EventData, envelope_for
from towngrid_contracts.permits import PermitIssued
from towngrid_contracts.registry import VulnerableResidentEnrolled

PERMIT_TOPIC = "permits.permit.v1"
ORDER_TOPIC = "delivery.order.v1"
MERCHANT_TOPIC = "delivery.merchant.v1"
PRICES = [
    {"sku": "RICE-5KG", "name": "大米 5kg", "unit": "bag", "price_cents": 3290},
    {"sku": "EGG-30", "name": "鸡蛋 30 枚", "unit": "tray", "price_cents": 1850},
    {"sku": "CABBAGE-KG", "name": "白菜", "unit": "kg", "price_cents": 260},
]


def uid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def permit_fields(merchant_id: str, permit_id: str) -> dict[str, Any]:
    return {"permit_id": permit_id, "permit_type": "business_reopening", "merchant_id": merchant_id}


async def send_permit_events(system: System, permit_id: str, events: list[tuple[int, EventData]]) -> list[tuple[int, int]]:
    """Put permit events (aggregate_version, data) on the permits topic, as the permits service would."""
    messages = []
    for version, data in events:
        env = envelope_for(data, aggregate_id=permit_id, aggregate_version=version)
        messages.append((env.key, env.model_dump_json().encode()))
    return await produce_many(system.kafka, PERMIT_TOPIC, messages)


def issued(merchant_id: str, permit_id: str, *, days: int = 30, start_days_ago: int = 1) -> PermitIssued:
    now = datetime.now(UTC)
    return PermitIssued(**permit_fields(merchant_id, permit_id), valid_from=now - timedelta(days=start_days_ago),
                        valid_until=now + timedelta(days=days), issued_at=now)


async def wait_allowed(client: httpx.AsyncClient, merchant_id: str, allowed: bool, timeout: float = 30) -> None:
    async def check() -> bool:
        return (await client.get(f"/merchants/{merchant_id}")).json()["allowed_to_sell"] is allowed

    await eventually(check, timeout=timeout)


async def open_merchant(system: System, client: httpx.AsyncClient, prices: list[dict] | None = None) -> str:
    """A registered merchant with a price list and an issued business-reopening permit."""
    merchant_id = uid("mer")
    created = await client.post("/merchants", json={"merchant_id": merchant_id, "name": "城关超市",
                                                    "kind": "supermarket", "community_id": "C03"})
    assert created.status_code == 201, created.text
    listed = await client.post(f"/merchants/{merchant_id}/price-lists", json={"items": prices or PRICES})
    assert listed.status_code == 201, listed.text
    permit_id = uid("pmt")
    await send_permit_events(system, permit_id, [(2, issued(merchant_id, permit_id))])
    await wait_allowed(client, merchant_id, True)
    return merchant_id


def order_body(merchant_id: str, household_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "merchant_id": merchant_id, "household_id": household_id or uid("hh"), "compound_id": "C03-017",
        "channel": "phone", "lines": [{"sku": "RICE-5KG", "quantity": 1}, {"sku": "EGG-30", "quantity": 2}],
    }
    body.update(overrides)
    return body


async def household_in_registry(system: System, compound_id: str, quarantine: bool) -> tuple[str, str, str | None]:
    """Register a returnee through the registry (optionally start a home quarantine)."""
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(compound_id))
        assert created.status_code == 201, created.text
        resident = created.json()["resident"]
        quarantine_id = None
        if quarantine:
            started = await registry.post(f"/residents/{resident['resident_id']}/quarantines",
                                          json={"kind": "home", "planned_end": "2030-02-08",
                                                "reason_code": "returned_from_risk_area"})
            assert started.status_code == 201, started.text
            quarantine_id = started.json()["quarantine_id"]
        return resident["resident_id"], resident["household_id"], quarantine_id


async def place_until(delivery: httpx.AsyncClient, body: dict, destination: str) -> dict:
    """Place orders until the projection has caught up and gives ``destination``; return the last."""
    async def attempt() -> dict | None:
        placed = await delivery.post("/orders", json=body)
        if placed.status_code == 422 and "not known from the registry's events" in placed.text:
            return None  # the household is not in delivery's projection yet
        assert placed.status_code == 201, placed.text
        return placed.json() if placed.json()["destination"] == destination else None

    return await eventually(attempt, timeout=60, interval=0.5)


async def merchant_in(system: System, delivery: httpx.AsyncClient, community_id: str) -> str:
    """A shop of ``community_id`` with a price list and an issued business-reopening permit."""
    merchant_id = uid("mer")
    made = await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "社区超市", "kind": "shop",
                                                   "community_id": community_id})
    assert made.status_code == 201, made.text
    assert (await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": PRICES})).status_code == 201
    permit_id = uid("pmt")
    await send_permit_events(system, permit_id, [(2, issued(merchant_id, permit_id))])
    await wait_allowed(delivery, merchant_id, True)
    return merchant_id


async def grid_known(officer: httpx.AsyncClient, compound_id: str) -> None:
    """Wait until delivery has the compound's community from the registry's grid events."""
    async def known() -> bool:
        return (await officer.get(f"/pickup-points/CP-{compound_id}/slots")).status_code == 200

    await eventually(known, timeout=60, interval=0.5)


async def enrol(system: System, *, household_id: str | None = None, every: int | None = 7) -> tuple[str, str]:
    """Put a VulnerableResidentEnrolled on the registry's topic (as the registry would) and wait for delivery."""
    resident_id, household_id = uid("res"), household_id or uid("hh")
    data = VulnerableResidentEnrolled(resident_id=resident_id, household_id=household_id, compound_id="C05-004",
                                      category="elderly_living_alone", helper_id="stf_helper1", visit_every_days=2,
                                      relief_every_days=every, enrolled_at=datetime.now(UTC))
    env = envelope_for(data, aggregate_id=resident_id, aggregate_version=2)
    await produce_many(system.kafka, "registry.resident.v1", [(env.key, env.model_dump_json().encode())])
    async with system.client("delivery") as delivery:
        async def known() -> bool:
            return (await delivery.get(f"/relief-recipients/{resident_id}")).status_code != 404
        await eventually(known)
    return resident_id, household_id


async def new_team(delivery: httpx.AsyncClient, community_id: str = "C03", courier_id: str = "stf_courier1") -> str:
    """A service team of one courier; its id."""
    made = await delivery.post("/teams", json={"community_id": community_id, "capacity": 5, "members": [courier_id]})
    assert made.status_code == 201, made.text
    return made.json()["team_id"]


async def to_checkpoint(delivery: httpx.AsyncClient, order_id: str, team_id: str, courier_id: str = "stf_courier1") -> None:
    """Take a placed order bound for its checkpoint there: accepted, assigned, picked up, handed over."""
    for step, body in [("accept", None), ("assign", {"team_id": team_id, "courier_id": courier_id}),
                       ("pick-up", None), ("hand-to-checkpoint", None)]:
        answered = await delivery.post(f"/orders/{order_id}/{step}", json=body)
        assert answered.status_code == 200, (step, answered.text)
