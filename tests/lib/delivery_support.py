"""Helpers for the delivery service's tests on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from e2e_support import System, eventually, produce_many
from towngrid_contracts.envelope import EventData, envelope_for
from towngrid_contracts.permits import PermitIssued

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
