"""Vulnerable residents on the real stack: enrol, pair with a helper, visits, missed visits flagged
by the worker; VulnerableResidentEnrolled on the resident topic (delivery's relief parcels start
from it); a delivered relief parcel (delivery's event) is recorded as one visit, even if redelivered."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from e2e_support import System, eventually, events_with, produce_many, read_all
from people import returnee
from towngrid_contracts import load_example
from towngrid_kit.auth import Role

RESIDENT_TOPIC = "registry.resident.v1"
PARCEL_TOPIC = "delivery.relief_parcel.v1"


async def register(registry) -> str:  # noqa: ANN001
    created = await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))
    return created.json()["resident"]["resident_id"]


async def test_enrol_pair_and_visit_a_vulnerable_resident(system: System) -> None:
    async with system.client("registry") as registry:
        rid = await register(registry)
        enrolled = await registry.post(f"/residents/{rid}/care", json={
            "category": "elderly_living_alone", "visit_every_days": 2, "relief_every_days": 7, "helper_id": "stf_helper1"})
        assert enrolled.status_code == 201, enrolled.text
        assert enrolled.json()["helper_id"] == "stf_helper1" and enrolled.json()["care_pair_id"]
        assert (await registry.post(f"/residents/{rid}/care", json={"category": "homeless", "visit_every_days": 1})).status_code == 409
        repaired = await registry.post(f"/residents/{rid}/care/helper", json={"helper_id": "stf_helper2"})
        assert repaired.status_code == 200 and repaired.json()["helper_id"] == "stf_helper2"
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as helper:
        visit = await helper.post(f"/residents/{rid}/care/visits", json={"kind": "home_visit", "supplies": ["mask", "rice"]})
        assert visit.status_code == 201 and visit.json()["visited_by"] == "test-admin"
        care = (await helper.get(f"/residents/{rid}/care")).json()
        assert len(care["visits"]) == 1 and care["missed_visits"] == []
        listed = (await helper.get("/care/residents", params={"category": "elderly_living_alone", "limit": 200})).json()
        assert rid in [c["resident_id"] for c in listed["items"]]
    async with system.client("registry") as registry:
        for body, field in (({"category": "rich", "visit_every_days": 2}, "body.category"),
                            ({"category": "homeless", "visit_every_days": 0}, "body.visit_every_days"),
                            ({"category": "homeless", "visit_every_days": 2, "helper_id": "a b"}, "body.helper_id")):
            other = await register(registry)
            refused = await registry.post(f"/residents/{other}/care", json=body)
            assert refused.status_code == 422 and field in refused.text
            assert (await registry.get(f"/residents/{other}/care")).status_code == 404, "nothing stored"
        assert (await registry.post("/residents/res_nobody/care",
                                    json={"category": "homeless", "visit_every_days": 1})).status_code == 404
        assert (await registry.post(f"/residents/{rid}/care/visits", json={"kind": "party"})).status_code == 422

    async def published() -> list[str] | None:
        found = [e["event_type"] for e in events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid)]
        return found if "registry.care_visit.recorded" in found else None

    assert await eventually(published) == [
        "registry.resident.returned", "registry.vulnerable_resident.enrolled", "registry.care.paired",
        "registry.care.paired", "registry.care_visit.recorded"]
    enrolled_event = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                                 event_type="registry.vulnerable_resident.enrolled")[0]
    assert enrolled_event["data"]["relief_every_days"] == 7 and enrolled_event["data"]["compound_id"].startswith("C99-")


async def test_a_missed_visit_is_flagged_by_the_worker(system: System) -> None:
    enrolled_at = (datetime.now(UTC) - timedelta(days=2, hours=1)).replace(microsecond=0)  # BSON keeps milliseconds
    async with system.client("registry") as registry:
        rid = await register(registry)
        created = await registry.post(f"/residents/{rid}/care", json={
            "category": "homeless", "visit_every_days": 1, "helper_id": "stf_h", "enrolled_at": enrolled_at.isoformat()})
        assert created.status_code == 201

        async def flagged() -> list[str] | None:
            missed = (await registry.get(f"/residents/{rid}/care")).json()["missed_visits"]
            return missed if len(missed) >= 2 else None

        missed = await eventually(flagged)
    assert [datetime.fromisoformat(m) for m in missed] == [enrolled_at + timedelta(days=1), enrolled_at + timedelta(days=2)]

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                            event_type="registry.care_visit.missed")
        return found if len(found) >= 2 else None

    events = await eventually(published)
    assert len(events) == 2 and all(e["data"]["helper_id"] == "stf_h" for e in events)


async def test_a_delivered_relief_parcel_is_one_visit(system: System) -> None:
    async with system.client("registry") as registry:
        rid = await register(registry)
        await registry.post(f"/residents/{rid}/care", json={"category": "elderly_living_alone", "visit_every_days": 3,
                                                             "relief_every_days": 7})
    parcel_id = f"rp_{uuid.uuid4().hex}"
    example = load_example("delivery.relief_parcel.delivered")
    example.update(event_id=str(uuid.uuid4()), aggregate_id=parcel_id, occurred_at=datetime.now(UTC).isoformat())
    example["data"].update(parcel_id=parcel_id, resident_id=rid, delivered_at=datetime.now(UTC).isoformat())
    message = (parcel_id.encode(), json.dumps(example).encode())
    await produce_many(system.kafka, PARCEL_TOPIC, [message, message])  # a redelivery too

    async with system.client("registry") as registry:
        async def visited() -> list[dict] | None:
            visits = (await registry.get(f"/residents/{rid}/care")).json()["visits"]
            return visits or None

        visits = await eventually(visited)
        assert len(visits) == 1 and visits[0]["parcel_id"] == parcel_id and visits[0]["kind"] == "relief_parcel"

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                            event_type="registry.care_visit.recorded")
        return found or None

    events = await eventually(published)
    assert len(events) == 1 and events[0]["data"]["parcel_id"] == parcel_id
