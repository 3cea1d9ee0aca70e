"""The centralized isolation point on the real stack: rooms with capacity, admissions that never
exceed it (even when admitted at once), discharge, cleaning before the next person, occupancy."""

from __future__ import annotations

import asyncio
import uuid

from e2e_support import System, eventually, events_with, read_all
from people import returnee
from towngrid_kit.auth import Role

ISOLATION_TOPIC = "registry.isolation.v1"


async def in_centralized_quarantine(registry, n: int) -> list[str]:  # noqa: ANN001
    ids = []
    for _ in range(n):
        rid = (await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))).json()["resident"]["resident_id"]
        started = await registry.post(f"/residents/{rid}/quarantines", json={"kind": "centralized", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert started.status_code == 201
        ids.append(rid)
    return ids


async def test_admissions_never_exceed_capacity_even_at_once(system: System) -> None:
    site = f"iso-{uuid.uuid4().hex[:6]}"
    async with system.client("registry") as registry:
        added = await registry.post(f"/isolation-sites/{site}/rooms", json={"zone_id": "A", "room_id": "A-101", "capacity": 2})
        assert added.status_code == 201, added.text
        assert (await registry.post(f"/isolation-sites/{site}/rooms",
                                    json={"zone_id": "A", "room_id": "A-101", "capacity": 2})).status_code == 409
        people = await in_centralized_quarantine(registry, 5)
        results = await asyncio.gather(*(registry.post(f"/isolation-sites/{site}/admissions",
                                                       json={"resident_id": rid}) for rid in people))
        assert sorted(r.status_code for r in results) == [201, 201, 409, 409, 409], [r.text for r in results]
        occupancy = (await registry.get(f"/isolation-sites/{site}/occupancy")).json()
        assert (occupancy["capacity"], occupancy["occupied"], occupancy["free_beds_ready"]) == (2, 2, 0)
        assert occupancy["zones"][0]["rooms"][0]["occupied"] == 2
        listed = (await registry.get(f"/isolation-sites/{site}/admissions", params={"current": "true", "limit": 1})).json()
        assert len(listed["items"]) == 1 and listed["next_after"]

    async def admitted() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, ISOLATION_TOPIC), aggregate_id=site,
                            event_type="registry.isolation.admitted")
        return found if len(found) >= 2 else None

    assert len(await eventually(admitted)) == 2


async def test_a_room_is_cleaned_before_the_next_person(system: System) -> None:
    site = f"iso-{uuid.uuid4().hex[:6]}"
    async with system.client("registry") as registry:
        await registry.post(f"/isolation-sites/{site}/rooms", json={"zone_id": "B", "room_id": "B-201", "capacity": 1})
        first, second = await in_centralized_quarantine(registry, 2)
        admitted = await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": first, "room_id": "B-201"})
        assert admitted.status_code == 201 and admitted.json()["room_id"] == "B-201"
        admission = admitted.json()["admission_id"]
        discharged = await registry.post(f"/isolation-sites/{site}/admissions/{admission}/discharge", json={})
        assert discharged.status_code == 200 and discharged.json()["discharged_at"]
        assert (await registry.post(f"/isolation-sites/{site}/admissions/{admission}/discharge", json={})).status_code == 409
        dirty = await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": second, "room_id": "B-201"})
        assert dirty.status_code == 409 and "cleaned" in dirty.text
        occupancy = (await registry.get(f"/isolation-sites/{site}/occupancy")).json()
        assert occupancy["rooms_to_clean"] == 1 and occupancy["occupied"] == 0
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as volunteer:
        cleaned = await volunteer.post(f"/isolation-sites/{site}/rooms/B-201/cleanings")
        assert cleaned.status_code == 201 and cleaned.json()["last_cleaned_by"] == "test-admin"
    async with system.client("registry") as registry:
        again = await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": second, "room_id": "B-201"})
        assert again.status_code == 201, again.text

    async def published() -> list[str] | None:
        found = [e["event_type"] for e in events_with(await read_all(system.kafka, ISOLATION_TOPIC), aggregate_id=site)]
        return found if len(found) >= 5 else None

    assert await eventually(published) == ["registry.isolation.room_added", "registry.isolation.admitted",
                                           "registry.isolation.discharged", "registry.isolation.room_cleaned",
                                           "registry.isolation.admitted"]


async def test_bad_isolation_input(system: System) -> None:
    site = f"iso-{uuid.uuid4().hex[:6]}"
    async with system.client("registry") as registry:
        bad_room = await registry.post(f"/isolation-sites/{site}/rooms", json={"zone_id": "A", "room_id": "A 1", "capacity": 0})
        assert bad_room.status_code == 422
        assert {"body.room_id", "body.capacity"} <= {e["field"] for e in bad_room.json()["errors"]}
        assert (await registry.get(f"/isolation-sites/{site}/occupancy")).status_code == 404, "nothing stored"
        await registry.post(f"/isolation-sites/{site}/rooms", json={"zone_id": "A", "room_id": "A-1", "capacity": 1})
        home = (await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))).json()["resident"]["resident_id"]
        assert (await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": home})).status_code == 409
        unknown = await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": "res_nobody"})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.resident_id"
        extra = await registry.post(f"/isolation-sites/{site}/admissions", json={"resident_id": home, "bed": 3})
        assert extra.status_code == 422 and "body.bed" in extra.text
        assert (await registry.get(f"/isolation-sites/{site}/occupancy")).json()["occupied"] == 0
        assert (await registry.get("/isolation-sites", params={"limit": 0})).status_code == 422
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        assert (await merchant.get(f"/isolation-sites/{site}/occupancy")).status_code == 403
