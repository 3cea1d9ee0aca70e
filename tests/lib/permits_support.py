"""Helpers for the permits service's tests on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from e2e_support import System, eventually
from people import returnee
from towngrid_kit.auth import Role, mint_token

PERMIT_TOPIC = "permits.permit.v1"
TOWN_CSV = Path(__file__).parents[2] / "services" / "registry" / "data" / "chengguan_grid.csv"
LAST_COMPOUND = "C08-017"  # the town file's last compound: once permits knows it, it knows the whole file
_grids_known: set[int] = set()


async def grid_known(system: System) -> None:
    """The town's grid imported in the registry (idempotent) and projected by the permits worker:
    community service points (SP-<community>) and checkpoints are those of the grid."""
    if id(system) in _grids_known:
        return
    async with system.client("registry") as registry:
        imported = await registry.post("/grid/import", content=TOWN_CSV.read_bytes(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
    async with system.client("permits") as admin:
        async def projected() -> bool:
            probe = await admin.get(f"/checkpoints/CP-{LAST_COMPOUND}/qr-code")
            assert probe.status_code in (200, 422), probe.text
            return probe.status_code == 200

        await eventually(projected, timeout=60, interval=0.5)
    _grids_known.add(id(system))


async def announced(system: System, resident: str) -> None:
    """Wait until the registry's event naming the resident's compound has reached the permits worker."""
    async def known() -> bool:
        return await system.find_one("permits", "resident_places", resident) is not None

    await eventually(known, timeout=60, interval=0.3)


async def roster_doc(system: System, resident_id: str) -> dict | None:
    """The permits worker's roster entry of the resident (whether it has them in quarantine)."""
    return await system.find_one("permits", "quarantine_roster", resident_id)


async def known_in_quarantine(system: System, resident: str) -> None:
    """Wait until the permits worker has the resident in its quarantine roster."""
    async with system.client("permits") as admin:
        async def known() -> bool:
            found = await admin.get(f"/quarantine-status/{resident}")
            return found.status_code == 200 and found.json()["in_quarantine"]

        await eventually(known, timeout=60)


async def registered(system: System, compound_id: str = "C03-017") -> str:
    """A returnee registered in the registry, announced to permits: their resident id."""
    return (await registered_holder(system, compound_id))[0]


async def registered_holder(system: System, compound_id: str = "C03-017") -> tuple[str, str]:
    """A returnee registered in the registry, announced to permits: their resident id and the holder key
    of their registration slip (which the same event brought to permits)."""
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(compound_id))
        assert created.status_code == 201, created.text
        resident = created.json()["resident"]["resident_id"]
    await announced(system, resident)
    return resident, created.json()["holder_key"]


def online_application(holder: str, holder_key: str, qr_code: str, **over: Any) -> dict[str, Any]:
    """A health certificate applied for online (the holder's key, a checkpoint's QR code)."""
    body = {k: v for k, v in health_certificate(holder).items() if k not in ("channel", "service_point_id")}
    return {**body, "qr_code": qr_code, "holder_key": holder_key, **over}


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


async def holder_code(system: System, permit_id: str, receipt: str) -> str | None:
    """The verification code as the holder's own channel shows it (the status page, with the receipt)."""
    async with system.client("permits", role=None) as holder:
        status = await holder.get(f"/applications/{permit_id}/status", params={"receipt": receipt})
    assert status.status_code == 200, status.text
    return status.json()["verification_code"]


async def issue(system: System, body: dict[str, Any]) -> dict[str, Any]:
    """Apply and get every configured department to approve: the issued permit's staff view, with the
    ``verification_code`` the holder's own channel shows (no staff view carries one)."""
    await grid_known(system)
    async with system.client("permits") as permits:
        applied = await apply(permits, body)
    issued = await approve_all(system, applied["permit_id"], [s["department"] for s in applied["steps"]])
    assert issued["status"] == "issued", issued
    assert "verification_code" not in issued, "a staff view shows no verification code"
    return {**issued, "verification_code": await holder_code(system, applied["permit_id"], applied["receipt"])}
