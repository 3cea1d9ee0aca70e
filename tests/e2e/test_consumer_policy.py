"""The consumer policy on the real stack: redelivery changes nothing; poison goes to the DLQ."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime


from e2e_support import System, eventually, produce_many, read_all, read_topic, wait_consumed
from people import returnee
from permits_support import roster_doc

TOPIC = "registry.resident.v1"
DLQ = "registry.resident.v1.dlq"


async def test_redelivered_events_change_nothing(system: System) -> None:
    async with system.client("registry") as registry:
        rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "centralized", "planned_end": "2030-01-01", "reason_code": "close_contact"})).json()["quarantine_id"]
        assert (await registry.post(f"/residents/{rid}/quarantines/{qid}/end", json={"outcome": "released", "reason_code": "period_completed"})).status_code == 200

    async def released() -> dict | None:
        doc = await roster_doc(system, rid)
        return doc if doc and doc["in_quarantine"] is False else None

    before = await eventually(released)
    mine = [r for r in await read_all(system.kafka, TOPIC) if r.key == rid.encode()]
    started = next(r for r in mine if r.json["event_type"] == "registry.quarantine.started")
    ended = next(r for r in mine if r.json["event_type"] == "registry.quarantine.ended")

    # Redeliver the start (which would put the resident back in quarantine if applied) and the end.
    placed = await produce_many(system.kafka, TOPIC, [(started.key, started.value), (ended.key, ended.value),
                                                      (started.key, started.value)])
    partition, last_offset = placed[-1]
    await wait_consumed(system.kafka, "permits", TOPIC, partition, last_offset)

    after = await roster_doc(system, rid)
    assert after == before
    assert after["in_quarantine"] is False
    assert after["applied_events"].count(started.json["event_id"]) == 1
    assert after["applied_events"].count(ended.json["event_id"]) == 1


def envelope(resident_id: str, data: dict, event_type: str = "registry.quarantine.started") -> bytes:
    return json.dumps({
        "event_id": str(uuid.uuid4()), "event_type": event_type, "event_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(), "producer": "registry", "aggregate_id": resident_id,
        "aggregate_version": 1, "correlation_id": str(uuid.uuid4()), "causation_id": None, "data": data,
    }).encode()


async def test_poison_goes_to_the_dlq_and_the_next_event_is_processed(system: System) -> None:
    rid = f"res_dlq_{uuid.uuid4().hex}"
    key = rid.encode()
    good = {"resident_id": rid, "quarantine_id": "qua_dlq", "household_id": "hh_dlq", "compound_id": "C01-001",
            "kind": "home", "started_at": datetime.now(UTC).isoformat(), "planned_end": "2030-01-01"}
    bad_payload = {k: v for k, v in good.items() if k != "kind"} | {"planned_end": "not a date"}
    placed = await produce_many(system.kafka, TOPIC, [
        (key, b"{this is not json"),
        (key, envelope(rid, bad_payload)),
        (key, envelope(rid, good)),
    ])

    async def in_quarantine() -> dict | None:
        doc = await roster_doc(system, rid)
        return doc if doc and doc["in_quarantine"] else None

    assert (await eventually(in_quarantine))["quarantine_id"] == "qua_dlq"

    def from_permits(records: list) -> list:  # noqa: ANN001 - every consumer of the topic dead-letters its own copy
        return [r for r in records if r.key == key and r.headers["x-dlq-consumer-group"] == "permits"]

    dead = await read_topic(system.kafka, DLQ, until=lambda rs: len(from_permits(rs)) >= 2)
    mine = from_permits(dead)
    assert [r.value for r in mine][0] == b"{this is not json"
    assert all(r.headers["x-dlq-source-topic"] == TOPIC for r in mine)
    assert [int(r.headers["x-dlq-source-offset"]) for r in mine] == [placed[0][1], placed[1][1]]
    assert "malformed envelope" in mine[0].headers["x-dlq-reason"]
    assert "kind" in mine[1].headers["x-dlq-reason"] and "planned_end" in mine[1].headers["x-dlq-reason"]


async def test_unknown_event_types_are_skipped(system: System) -> None:
    rid = f"res_unknown_{uuid.uuid4().hex}"
    placed = await produce_many(system.kafka, TOPIC, [
        (rid.encode(), envelope(rid, {"anything": 1}, event_type="registry.something.new_in_a_later_version")),
    ])
    await wait_consumed(system.kafka, "permits", TOPIC, *placed[0])
    assert await roster_doc(system, rid) is None
    dead = await read_all(system.kafka, DLQ)
    assert not [r for r in dead if r.key == rid.encode()]
