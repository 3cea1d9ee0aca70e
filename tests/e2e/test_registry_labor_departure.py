"""labor → registry on the real stack: a departed batch (BatchDispatched on labor.batch.v1) marks
its residents as having left town (ResidentLeftTown), once, even when the event is redelivered."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from e2e_support import System, eventually, events_with, produce_many, read_all, wait_consumed
from people import returnee
from towngrid_contracts import load_example

BATCH_TOPIC = "labor.batch.v1"
RESIDENT_TOPIC = "registry.resident.v1"


async def test_a_departed_batch_marks_its_residents_as_left_town(system: System) -> None:
    async with system.client("registry") as registry:
        workers = [(await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))).json()["resident"]["resident_id"]
                   for _ in range(2)]
        stay = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
    batch_id = f"bat_{uuid.uuid4().hex}"
    event = load_example("labor.batch.dispatched")
    event.update(event_id=str(uuid.uuid4()), aggregate_id=batch_id, occurred_at=datetime.now(UTC).isoformat())
    event["data"].update(batch_id=batch_id, destination_province="CN-ZJ", worker_resident_ids=[*workers, "res_not_ours"],
                         departed_at=datetime.now(UTC).isoformat())
    message = (batch_id.encode(), json.dumps(event).encode())
    placed = await produce_many(system.kafka, BATCH_TOPIC, [message, message])  # the second is a redelivery
    partition, last = placed[-1]
    await wait_consumed(system.kafka, "registry", BATCH_TOPIC, partition, last)

    async with system.client("registry") as registry:
        for rid in workers:
            file = (await registry.get(f"/residents/{rid}")).json()
            assert file["left_town"]["batch_id"] == batch_id and file["left_town"]["destination_province"] == "CN-ZJ"
        assert (await registry.get(f"/residents/{stay}")).json()["left_town"] is None

    async def published() -> list[dict] | None:
        found = [e for e in events_with(await read_all(system.kafka, RESIDENT_TOPIC),
                                        event_type="registry.resident.left_town") if e["data"]["batch_id"] == batch_id]
        return found if len(found) >= 2 else None

    events = await eventually(published)
    assert sorted(e["aggregate_id"] for e in events) == sorted(workers), "one event per resident, none for strangers"
    assert all(e["data"]["reason"] == "labor_batch" for e in events)
