"""A registry worker killed (SIGKILL) around the publish: after a restart the event is
published, and the permits service applies it once."""

from __future__ import annotations

import asyncio

import pytest

from e2e_support import System, eventually, read_all
from people import returnee
from permits_support import roster_doc
from towngrid_devstack.services import service_processes

TOPIC = "registry.resident.v1"


async def events_of(system: System, resident_id: str) -> list[dict]:
    return [r.json for r in await read_all(system.kafka, TOPIC) if r.key == resident_id.encode()]


@pytest.mark.parametrize("fault_point", ["relay.before_publish", "relay.after_publish"])
async def test_worker_killed_around_publish(system: System, fault_point: str) -> None:
    registry = system.services["registry"]
    async with system.client("registry") as api:
        rid = (await api.post("/residents", json=returnee())).json()["resident"]["resident_id"]
        await eventually(lambda: _has_events(system, rid, 1))

        registry.worker.stop()
        faulty = service_processes("registry", system.config, system.secrets, port=registry.port + 100,  # binds nothing; only wants a free port
                                   extra_env={"FAULT_POINT": fault_point}, worker_name="worker-faulty").worker
        try:
            faulty.start()
            started = await api.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2030-03-01", "reason_code": "close_contact"})
            assert started.status_code == 201, "the api stores the change whatever the worker does"
            await eventually(lambda: _exited(faulty), timeout=60)
            assert faulty.returncode == -9, faulty.describe_logs()
        finally:
            faulty.stop()

        published_while_down = [e["event_type"] for e in await events_of(system, rid)]
        if fault_point == "relay.before_publish":
            assert published_while_down == ["registry.resident.returned"]
        else:
            assert published_while_down == ["registry.resident.returned", "registry.quarantine.started"]

        registry.worker.start()
        registry.worker.wait_ready(timeout=60)

    async def applied() -> dict | None:
        doc = await roster_doc(system, rid)
        return doc if doc and doc["in_quarantine"] else None

    doc = await eventually(applied)
    copies_expected = 2 if fault_point == "relay.after_publish" else 1

    async def starts_published() -> list[dict] | None:
        found = [e for e in await events_of(system, rid) if e["event_type"] == "registry.quarantine.started"]
        return found if len(found) >= copies_expected else None

    # After a crash the relay lease (10 s) must expire before the restarted worker relays.
    starts = await eventually(starts_published, timeout=45)
    await asyncio.sleep(1)
    starts = await starts_published()
    doc = await roster_doc(system, rid)
    assert len({e["event_id"] for e in starts}) == 1, "one event, whatever the number of copies"
    if fault_point == "relay.after_publish":
        assert len(starts) >= 2, "published before the crash and again after the restart"
    else:
        assert len(starts) == 1
    assert doc["applied_events"].count(starts[0]["event_id"]) == 1
    assert doc["version"] == 2 and doc["quarantine_id"] == started.json()["quarantine_id"]


async def _has_events(system: System, rid: str, count: int) -> bool:
    return len(await events_of(system, rid)) >= count


async def _exited(process) -> bool:  # noqa: ANN001
    await asyncio.sleep(0)
    return not process.is_running()
