"""Helpers for the labor service's tests on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from e2e_support import System, eventually, produce_many
from towngrid_contracts.envelope import EventData, envelope_for
from towngrid_contracts.permits import PERMIT_TOPIC, PermitIssued

LABOR_GROUP = "labor"


def utcnow() -> datetime:
    return datetime.now(UTC)


async def produce_permit_events(system: System, events: list[tuple[EventData, int]],
                                event_ids: list[uuid.UUID] | None = None) -> list[dict[str, Any]]:
    """Publish permit events as the permits service would (envelope, key = permit id)."""
    envelopes = []
    for n, (data, version) in enumerate(events):
        envelopes.append(envelope_for(data, aggregate_id=data.permit_id, aggregate_version=version,
                                      event_id=event_ids[n] if event_ids else None))
    await produce_many(system.kafka, PERMIT_TOPIC, [(e.key, e.model_dump_json().encode()) for e in envelopes])
    return [e.model_dump(mode="json") for e in envelopes]


def issued(resident_id: str, *, permit_type: str = "health_certificate", days: float = 30,
           permit_id: str | None = None) -> PermitIssued:
    now = utcnow()
    return PermitIssued(permit_id=permit_id or f"pmt_{uuid.uuid4().hex}", permit_type=permit_type,
                        holder_resident_id=resident_id, valid_from=now - timedelta(hours=1),
                        valid_until=now + timedelta(days=days), issued_at=now - timedelta(hours=1))


async def quarantine(system: System, resident_id: str) -> str:
    async with system.client("registry") as registry:
        started = await registry.post(f"/residents/{resident_id}/quarantines",
                                      json={"kind": "home", "planned_end": "2030-02-08",
                                            "reason_code": "returned_from_risk_area"})
        assert started.status_code == 201, started.text
        return started.json()["quarantine_id"]


async def employer(labor: httpx.AsyncClient, province: str = "CN-GD", city_code: str = "441900") -> str:
    made = await labor.post("/employers", json={"name": "东莞某电子厂", "province": province, "city_code": city_code})
    assert made.status_code == 201, made.text
    return made.json()["enterprise_id"]


async def demand(labor: httpx.AsyncClient, enterprise_id: str, **overrides: Any) -> dict[str, Any]:  # noqa: ANN401
    body = {"enterprise_id": enterprise_id, "title": "流水线操作工", "job_category": "assembly",
            "skills": ["soldering"], "headcount": 2, "wage_min_cents": 450000, "wage_max_cents": 600000,
            "start_date": "2030-03-01"} | overrides
    made = await labor.post("/demands", json=body)
    assert made.status_code == 201, made.text
    return made.json()


async def job_seeker(labor: httpx.AsyncClient, resident_id: str, skills: list[str] | None = None,
                     preferred: list[str] | None = None) -> str:
    """Register (opt-in) once the labor service has heard of the resident from the registry."""
    body = {"resident_id": resident_id, "opt_in": True, "skills": skills or ["assembly", "soldering"],
            "preferred_provinces": preferred if preferred is not None else ["CN-GD"]}

    async def registered() -> dict | None:
        made = await labor.post("/job-seekers", json=body)
        if made.status_code in (200, 201):
            return made.json()
        assert made.status_code == 422 and "body.resident_id" in made.text, made.text
        return None

    return (await eventually(registered))["job_seeker_id"]


async def eligible(labor: httpx.AsyncClient, resident_id: str, expected: bool = True) -> dict[str, Any]:
    async def check() -> dict | None:
        found = (await labor.get(f"/eligibility/{resident_id}")).json()
        return found if found["eligible"] is expected else None

    return await eventually(check)


async def known_vehicle_pass(system: System, labor: httpx.AsyncClient, demand_id: str, seats: int = 3) -> dict[str, Any]:
    """A vehicle pass issued (on the permits topic) and a batch scheduled with it."""
    driver = f"res_driver_{uuid.uuid4().hex[:8]}"
    pass_event = issued(driver, permit_type="vehicle_pass")
    await produce_permit_events(system, [(pass_event, 2)])
    return await scheduled_batch(labor, demand_id, pass_event.permit_id, seats)


async def matched_for_batch(labor: httpx.AsyncClient, demand_id: str, job_seeker_id: str) -> None:
    made = await labor.post(f"/demands/{demand_id}/matches", json={"job_seeker_id": job_seeker_id, "placement": "batch"})
    assert made.status_code == 201, made.text


async def scheduled_batch(labor: httpx.AsyncClient, demand_id: str, vehicle_pass_id: str, seats: int = 2) -> dict[str, Any]:
    """A batch for the demand leaving tomorrow, scheduled once labor knows the vehicle pass."""
    body = {"demand_id": demand_id, "departure_at": (utcnow() + timedelta(days=1)).isoformat(),
            "vehicle_pass_id": vehicle_pass_id, "seats": seats}

    async def scheduled() -> dict | None:
        made = await labor.post("/batches", json=body)
        if made.status_code == 201:
            return made.json()
        assert made.status_code == 422 and "body.vehicle_pass_id" in made.text, made.text
        return None

    return await eventually(scheduled)
