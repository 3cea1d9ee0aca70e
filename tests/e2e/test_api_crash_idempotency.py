"""An api killed (SIGKILL) after storing a change and before answering: the client retries
with the same Idempotency-Key and the change exists exactly once."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from e2e_support import System, eventually, read_all
from people import returnee
from towngrid_devstack.services import service_processes


async def test_retry_after_an_api_crash_applies_once(system: System) -> None:
    registry = system.services["registry"]
    doomed = service_processes("registry", system.config, system.secrets, port=registry.port + 200,
                               extra_env={"FAULT_POINT": "api.before_response", "IDEMPOTENCY_LEASE_S": "2"},
                               worker_name="unused").api
    body = returnee()
    key = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": f"Bearer {system.token()}"}
    try:
        doomed.start()
        doomed.wait_ready(timeout=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{registry.port + 200}", timeout=30) as client:
            try:
                await client.post("/residents", json=body, headers=key)
                raise AssertionError("the api should have died before answering")
            except httpx.TransportError:
                pass
        await eventually(lambda: _exited(doomed))
        assert doomed.returncode == -9
    finally:
        doomed.stop()

    async with httpx.AsyncClient(base_url=registry.url, timeout=30) as client:
        async def retried() -> httpx.Response | None:
            response = await client.post("/residents", json=body, headers=key)
            return response if response.status_code != 409 else None  # 409 while the dead try's lease runs

        answer = await eventually(retried, timeout=30, interval=0.5)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "already_applied"
        rid = answer.json()["aggregate_id"]
        again = await client.post("/residents", json=body, headers=key)
        assert again.json() == answer.json() and again.headers["Idempotent-Replayed"] == "true"
        file = (await client.get(f"/residents/{rid}", headers={"Authorization": key["Authorization"]})).json()
        assert len(file["returns"]) == 1 and file["version"] == 1

    async def published() -> list | None:
        mine = [r for r in await read_all(system.kafka, "registry.resident.v1") if r.key == rid.encode()]
        return mine or None

    await eventually(published)
    await asyncio.sleep(1)
    assert len([r for r in await read_all(system.kafka, "registry.resident.v1") if r.key == rid.encode()]) == 1


async def _exited(process) -> bool:  # noqa: ANN001
    return not process.is_running()
