"""Permits under concurrent use on the real stack: parallel review decisions are all kept, many
applications at once are all stored and published once each; list filters refuse bad values."""

from __future__ import annotations

import asyncio
import time

from e2e_support import System, events_with, read_topic
from permits_support import PERMIT_TOPIC, apply, business_reopening, health_certificate, reviewer


async def test_departments_deciding_at_the_same_time_are_all_kept(system: System) -> None:
    async with system.client("permits") as admin:
        br = await apply(admin, business_reopening())
    departments = ["market_supervision", "health", "epidemic_control"]
    clients = [reviewer(system, d) for d in departments]
    try:
        decided = await asyncio.gather(*(
            c.post(f"/applications/{br['permit_id']}/reviews/{d}", json={"decision": "approve"})
            for c, d in zip(clients, departments)))
    finally:
        for c in clients:
            await c.aclose()
    assert [r.status_code for r in decided] == [200, 200, 200], [r.text for r in decided]
    async with system.client("permits") as admin:
        final = (await admin.get(f"/applications/{br['permit_id']}")).json()
    assert final["status"] == "issued"
    assert {s["status"] for s in final["steps"]} == {"approved"}
    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=br["permit_id"], event_type="permits.permit.issued")))
    types = [e["event_type"] for e in events_with(records, aggregate_id=br["permit_id"])]
    assert types.count("permits.permit.review_step_decided") == 3 and types.count("permits.permit.issued") == 1
    versions = [e["aggregate_version"] for e in events_with(records, aggregate_id=br["permit_id"])]
    assert versions == list(range(1, len(versions) + 1))


async def test_many_applications_at_once_are_stored_and_published_once(system: System) -> None:
    n = 60
    async with system.client("permits") as admin:
        started = time.monotonic()
        made = await asyncio.gather(*(admin.post("/applications", json=health_certificate()) for _ in range(n)))
        took = time.monotonic() - started
        assert [r.status_code for r in made] == [201] * n
        print(f"{n} concurrent applications stored in {took:.2f} s ({n / took:.0f}/s)")
        ids = {r.json()["permit_id"] for r in made}
        receipts = {r.json()["permit_id"]: r.json()["receipt"] for r in made}
        assert len(ids) == n
        for bad in ({"status": "lost"}, {"permit_type": "fishing"}, {"limit": 0}, {"limit": 1000}):
            refused = await admin.get("/applications", params=bad)
            assert refused.status_code == 422 and refused.json()["errors"][0]["field"].startswith("query.")

    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: ids <= {
        e["aggregate_id"] for e in events_with(rs, event_type="permits.permit.applied")})
    applied = [e for e in events_with(records, event_type="permits.permit.applied") if e["aggregate_id"] in ids]
    assert len(applied) == n and len({e["event_id"] for e in applied}) == n

    async with system.client("permits", None) as checkpoint:
        started = time.monotonic()
        found = await asyncio.gather(*(checkpoint.get(f"/applications/{i}/status", params={"receipt": r})
                                       for i, r in receipts.items()))
        print(f"{n} status look-ups in {time.monotonic() - started:.2f} s")
        assert all(r.status_code == 200 for r in found)
