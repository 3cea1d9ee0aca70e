"""An api killed (SIGKILL) after storing a change and before answering: the client retries
with the same Idempotency-Key and the change exists exactly once — also when the change creates
a new aggregate whose id the use case mints (the retry mints the same id: ``towngrid_kit.ids``)."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from e2e_support import System, eventually, read_all
from people import returnee
from permits_support import health_certificate, resident_id
from towngrid_devstack.services import service_processes


async def crash_then_retry(system: System, service: str, path: str, body: dict, key: dict) -> httpx.Response:
    """POST to an api of ``service`` that dies right after storing the change, then retry on the
    service's own api with the same key until the dead attempt's lease has run out."""
    url = system.services[service]
    doomed = service_processes(service, system.config, system.secrets, port=url.port + 200,
                               extra_env={"FAULT_POINT": "api.before_response", "IDEMPOTENCY_LEASE_S": "2"},
                               worker_name="unused").api
    try:
        doomed.start()
        doomed.wait_ready(timeout=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{url.port + 200}", timeout=30) as client:
            try:
                await client.post(path, json=body, headers=key)
                raise AssertionError("the api should have died before answering")
            except httpx.TransportError:
                pass
        await eventually(lambda: _exited(doomed))
        assert doomed.returncode == -9
    finally:
        doomed.stop()
    async with httpx.AsyncClient(base_url=url.url, timeout=30) as client:
        async def retried() -> httpx.Response | None:
            response = await client.post(path, json=body, headers=key)
            return response if response.status_code != 409 else None  # 409 while the dead try's lease runs

        return await eventually(retried, timeout=30, interval=0.5)


async def test_retry_after_an_api_crash_applies_once(system: System) -> None:
    registry = system.services["registry"]
    body = returnee()
    key = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": f"Bearer {system.token()}"}
    answer = await crash_then_retry(system, "registry", "/residents", body, key)
    async with httpx.AsyncClient(base_url=registry.url, timeout=30) as client:
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


async def test_a_created_aggregate_is_not_created_again_by_the_retry(system: System) -> None:
    """POST /applications mints a new permit id each time it runs: the retry mints the same one."""
    holder = resident_id()
    key = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": f"Bearer {system.token()}"}
    answer = await crash_then_retry(system, "permits", "/applications", health_certificate(holder), key)
    assert answer.status_code == 200 and answer.json()["status"] == "already_applied", answer.text
    async with system.client("permits") as permits:
        held = (await permits.get("/applications", params={"holder_id": holder})).json()["items"]
    assert [p["permit_id"] for p in held] == [answer.json()["aggregate_id"]], "one application, not two"


async def _exited(process) -> bool:  # noqa: ANN001
    return not process.is_running()
