"""An ``Idempotency-Key`` is remembered for ``<SVC>_IDEMPOTENCY_RETENTION_H`` (24 h): a worker of
the service forgets older keys, with the answers stored for them (the registry's hold a holder
key, sealed). Here a worker started afresh does its first round at start-up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from e2e_support import System, eventually
from towngrid_devstack.services import service_processes


def record(started_at: datetime, state: str = "done") -> dict:
    """An Idempotency-Key record as the api stores it (its caller, route and key in the id)."""
    return {"_id": f"sub:test|POST /employers:{uuid.uuid4().hex}", "fingerprint": "f" * 64, "state": state,
            "status": 201, "body": {"enterprise_id": "ent_x"}, "started_at": started_at,
            "lease_until": started_at + timedelta(seconds=30)}


async def test_a_worker_forgets_the_keys_past_their_retention_and_keeps_the_others(system: System) -> None:
    now = datetime.now(UTC)
    old, recent = record(now - timedelta(hours=25)), record(now - timedelta(hours=23))
    labor = system.services["labor"]
    worker = service_processes("labor", system.config, system.secrets, port=labor.port + 110,
                               worker_name="worker-keys").worker
    async with system.database("labor") as db:
        keys = db["idempotency_keys"]
        await keys.insert_many([old, recent])
        try:
            worker.start()
            worker.wait_ready(timeout=60)

            async def forgotten() -> bool:
                return await keys.find_one({"_id": old["_id"]}) is None

            await eventually(forgotten, timeout=60)
            assert await keys.find_one({"_id": recent["_id"]}) is not None, "a key within its retention was forgotten"
        finally:
            worker.stop()
            await keys.delete_one({"_id": recent["_id"]})
