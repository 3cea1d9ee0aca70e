"""Two workers of one service share its partitions; when one is killed, the other takes them
over with no event lost and none applied twice (the permits service's quarantine roster)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from pymongo import AsyncMongoClient

from e2e_support import System, eventually, read_all
from people import returnee
from towngrid_devstack.process import ManagedProcess
from towngrid_devstack.services import service_processes

TOPIC = "registry.resident.v1"
ASSIGNED = re.compile(r"Setting newly assigned partitions (\{.*\}|set\(\)) for group permits")


def assignment(log: Path) -> set[int]:
    """The partitions of TOPIC the worker holds now, from its last assignment log line."""
    lines = [m.group(1) for m in ASSIGNED.finditer(log.read_text(errors="replace"))]
    if not lines:
        return set()
    return {int(p) for p in re.findall(rf"topic='{re.escape(TOPIC)}', partition=(\d+)", lines[-1])}


async def start_quarantines(system: System, count: int) -> dict[str, str]:
    """Register residents and start their quarantines; resident id → quarantine id."""
    async with system.client("registry") as registry:
        async def one() -> tuple[str, str]:
            rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
            started = await registry.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
            assert started.status_code == 201, started.text
            return rid, started.json()["quarantine_id"]

        return dict(await asyncio.gather(*(one() for _ in range(count))))


async def test_two_workers_share_partitions_and_survive_a_kill(system: System) -> None:
    permits = system.services["permits"]
    second: ManagedProcess = service_processes("permits", system.config, system.secrets, port=permits.port + 100,
                                               worker_name="worker-2").worker
    first = permits.worker
    try:
        second.start()
        second.wait_ready(timeout=60)

        async def shared() -> bool:
            mine, theirs = assignment(first.log_path), assignment(second.log_path)
            return bool(mine) and bool(theirs) and not (mine & theirs) and len(mine | theirs) == 6

        await eventually(shared, timeout=60)
        before_kill = await start_quarantines(system, 30)
        await asyncio.sleep(0.5)
        first.kill()  # SIGKILL: no goodbye to the group; Kafka notices when its session times out
        after_kill = await start_quarantines(system, 30)

        async def taken_over() -> bool:
            return assignment(second.log_path) == set(range(6))

        await eventually(taken_over, timeout=60)
        everyone = before_kill | after_kill
        client = AsyncMongoClient(system.mongo_url, tz_aware=True)
        roster = client["permits"]["quarantine_roster"]
        try:
            async def all_applied() -> bool:
                return await roster.count_documents({"_id": {"$in": list(everyone)}, "in_quarantine": True}) == 60

            await eventually(all_applied, timeout=90)
            starts = {r.json["aggregate_id"]: r.json["event_id"] for r in await read_all(system.kafka, TOPIC)
                      if r.key and r.key.decode() in everyone and b"quarantine.started" in r.value}
            async for doc in roster.find({"_id": {"$in": list(everyone)}}):
                assert doc["quarantine_id"] == everyone[doc["_id"]]
                assert doc["applied_events"].count(starts[doc["_id"]]) == 1, doc["_id"]
        finally:
            await client.close()
    finally:
        second.stop()
        if not first.is_running():
            first.start()
            first.wait_ready(timeout=60)
