"""Helpers for the permits service's tests on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from e2e_support import System
from towngrid_kit.auth import Role, mint_token

PERMIT_TOPIC = "permits.permit.v1"


def reviewer(system: System, department: str | None, subject: str | None = None) -> httpx.AsyncClient:
    token = mint_token(system.secrets.auth_jwt_secret, subject=subject or f"rev-{department}",
                       role=Role.PERMIT_REVIEWER, scope="town", issuer="towngrid-local", audience="towngrid",
                       department=department)
    return httpx.AsyncClient(base_url=system.services["permits"].url, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})


def resident_id() -> str:
    return f"res_{uuid.uuid4().hex}"


def merchant_id() -> str:
    return f"mer_{uuid.uuid4().hex}"


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def health_certificate(holder: str | None = None, **over: Any) -> dict[str, Any]:
    return {"permit_type": "health_certificate", "holder_resident_id": holder or resident_id(),
            "purpose": "work", "channel": "town_hall_window", "service_point_id": "W2", **over}


def vehicle_pass(holder: str | None = None, **over: Any) -> dict[str, Any]:
    return {"permit_type": "vehicle_pass", "holder_resident_id": holder or resident_id(),
            "plate_number": "豫Q12345", "vehicle_type": "truck", "purpose": "vegetable supply",
            "route": "Chengguan to the county market", "valid_until": iso(timedelta(days=7)),
            "channel": "community_service_point", "service_point_id": "SP-C03", **over}


def business_reopening(merchant: str | None = None, complete: bool = True, **over: Any) -> dict[str, Any]:
    items = dict.fromkeys(["staff_health_certificates", "disinfection", "temperature_checks", "buyer_ledger"],
                          complete)
    return {"permit_type": "business_reopening", "merchant_id": merchant or merchant_id(),
            "business_kind": "supermarket", "premises": "城关镇 人民路 12 号", "checklist": items,
            "channel": "town_hall_window", "service_point_id": "W1", **over}


async def apply(permits: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    created = await permits.post("/applications", json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def approve_all(system: System, permit_id: str, departments: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for department in departments:
        async with reviewer(system, department) as client:
            decided = await client.post(f"/applications/{permit_id}/reviews/{department}",
                                        json={"decision": "approve"})
            assert decided.status_code == 200, decided.text
            result = decided.json()
        if result["status"] != "under_review":
            break
    return result


async def issue(system: System, body: dict[str, Any]) -> dict[str, Any]:
    """Apply and get every configured department to approve: the issued permit's view."""
    async with system.client("permits") as permits:
        applied = await apply(permits, body)
    issued = await approve_all(system, applied["permit_id"], [s["department"] for s in applied["steps"]])
    assert issued["status"] == "issued", issued
    return issued
