"""Registry → Kafka → permits, on the real stack: the first cross-service flow."""

from __future__ import annotations

import uuid

from e2e_support import System, eventually, events_with, read_topic
from people import release, returnee

RESIDENT_TOPIC = "registry.resident.v1"
ENVELOPE_FIELDS = {
    "event_id", "event_type", "event_version", "occurred_at", "producer", "aggregate_id",
    "aggregate_version", "correlation_id", "causation_id", "data",
}


async def register_and_quarantine(system: System) -> tuple[str, str]:
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee())
        assert created.status_code == 201, created.text
        resident_id = created.json()["resident"]["resident_id"]
        started = await registry.post(f"/residents/{resident_id}/quarantines",
                                      json={"kind": "home", "planned_end": "2030-02-08", "reason_code": "close_contact"})
        assert started.status_code == 201, started.text
        return resident_id, started.json()["quarantine_id"]


async def test_events_reach_their_topic_keyed_and_enveloped(system: System) -> None:
    resident_id, quarantine_id = await register_and_quarantine(system)

    records = await read_topic(system.kafka, RESIDENT_TOPIC,
                               until=lambda rs: len([r for r in rs if r.key == resident_id.encode()]) >= 2)
    mine = [r for r in records if r.key == resident_id.encode()]
    assert [r.json["event_type"] for r in mine] == ["registry.resident.returned", "registry.quarantine.started"]
    assert len({r.partition for r in mine}) == 1, "one resident's events share one partition"
    for version, record in enumerate(mine, start=1):
        body = record.json
        assert set(body) == ENVELOPE_FIELDS
        assert body["producer"] == "registry"
        assert body["aggregate_id"] == resident_id
        assert body["aggregate_version"] == version
        assert record.headers["event_type"] == body["event_type"]
        uuid.UUID(body["event_id"])
    assert mine[1].json["data"]["quarantine_id"] == quarantine_id
    assert "national_id" not in mine[0].value.decode() and "mobile" not in mine[0].value.decode()


async def test_permits_projection_follows_quarantine(system: System) -> None:
    resident_id, quarantine_id = await register_and_quarantine(system)

    async with system.client("permits") as permits:
        async def in_quarantine() -> dict | None:
            found = await permits.get(f"/quarantine-status/{resident_id}")
            return found.json() if found.status_code == 200 and found.json()["in_quarantine"] else None

        status = await eventually(in_quarantine)
        assert status["quarantine_id"] == quarantine_id and status["kind"] == "home"
        listed = await permits.get("/quarantine-status", params={"in_quarantine": "true", "limit": 500})
        assert resident_id in {item["resident_id"] for item in listed.json()["items"]}

        await release(system, resident_id, quarantine_id)

        async def released() -> dict | None:
            found = (await permits.get(f"/quarantine-status/{resident_id}")).json()
            return found if not found["in_quarantine"] else None

        assert (await eventually(released))["ended_at"] is not None


async def test_fever_raises_an_alert_event(system: System) -> None:
    resident_id, quarantine_id = await register_and_quarantine(system)
    async with system.client("registry") as registry:
        normal = await registry.post(f"/residents/{resident_id}/quarantines/{quarantine_id}/health-checks",
                                     json={"temperature_c": 36.6})
        fever = await registry.post(f"/residents/{resident_id}/quarantines/{quarantine_id}/health-checks",
                                    json={"temperature_c": 37.3, "symptoms": ["cough"]})
        assert normal.status_code == fever.status_code == 201
        assert (normal.json()["fever"], fever.json()["fever"]) == (False, True)

    records = await read_topic(system.kafka, RESIDENT_TOPIC,
                               until=lambda rs: bool(events_with(rs, aggregate_id=resident_id,
                                                                 event_type="registry.quarantine.fever_alert_raised")))
    types = [e["event_type"] for e in events_with(records, aggregate_id=resident_id)]
    assert types.count("registry.quarantine.health_check_recorded") == 2
    assert types.count("registry.quarantine.fever_alert_raised") == 1
    alert = events_with(records, aggregate_id=resident_id, event_type="registry.quarantine.fever_alert_raised")[0]
    assert alert["data"]["check_id"] == fever.json()["check_id"]
