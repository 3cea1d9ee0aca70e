"""Registry → permits on the real stack: a quarantine started through the registry's HTTP API
suspends the resident's health certificates and vehicle passes (the verification endpoint says
so within seconds), refuses new applications with the reason, and release reinstates them."""

from __future__ import annotations

import time

from e2e_support import System, eventually, events_with, produce_many, read_topic, wait_consumed
from people import new_resident
from towngrid_kit.auth import Role
from permits_support import PERMIT_TOPIC, apply, business_reopening, health_certificate, issue, vehicle_pass

SUSPEND_WITHIN_S = 15.0


async def verify(system: System, code: str) -> str:
    """The detailed status, as checkpoint staff see it (the public gets only valid / not_valid)."""
    async with system.client("permits", Role.COMPOUND_VOLUNTEER, scope="compound:C03-017") as checkpoint:
        found = await checkpoint.post("/verify", json={"code": code})
        assert found.status_code == 200, found.text
        return found.json()["status"]


async def test_quarantine_suspends_refuses_and_release_reinstates(system: System) -> None:
    resident_id = await new_resident(system)
    certificate = await issue(system, health_certificate(resident_id))
    vpass = await issue(system, vehicle_pass(resident_id))
    shop = await issue(system, business_reopening())  # not the resident's: untouched
    assert await verify(system, certificate["verification_code"]) == "valid"

    async with system.client("registry") as registry:
        started_at = time.monotonic()
        started = await registry.post(f"/residents/{resident_id}/quarantines",
                                      json={"kind": "home", "planned_end": "2030-02-08", "reason_code": "close_contact"})
        assert started.status_code == 201, started.text
        quarantine_id = started.json()["quarantine_id"]

    async def both_suspended() -> bool:
        return [await verify(system, p["verification_code"]) for p in (certificate, vpass)] == ["suspended"] * 2

    await eventually(both_suspended, timeout=SUSPEND_WITHIN_S, interval=0.1)
    print(f"suspended at the verification endpoint {time.monotonic() - started_at:.2f} s after QuarantineStarted")
    assert await verify(system, shop["verification_code"]) == "valid"

    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: all(
        events_with(rs, aggregate_id=p["permit_id"], event_type="permits.permit.suspended")
        for p in (certificate, vpass)))
    for p in (certificate, vpass):
        [event] = events_with(records, aggregate_id=p["permit_id"], event_type="permits.permit.suspended")
        assert event["data"]["reason"] == "holder_quarantined"
        assert event["data"]["quarantine_id"] == quarantine_id
        assert event["data"]["holder_resident_id"] == resident_id

    async with system.client("permits") as permits:
        refused = await apply(permits, health_certificate(resident_id))
        assert refused["status"] == "rejected"
        assert refused["rejection"]["reason"] == "holder_in_quarantine"
        assert "quarantine" in refused["rejection"]["note"]

    async with system.client("registry") as registry:
        ended = await registry.post(f"/residents/{resident_id}/quarantines/{quarantine_id}/end",
                                    json={"outcome": "released", "reason_code": "period_completed"})
        assert ended.status_code == 200, ended.text

    async def both_valid() -> bool:
        return [await verify(system, p["verification_code"]) for p in (certificate, vpass)] == ["valid"] * 2

    await eventually(both_valid, timeout=SUSPEND_WITHIN_S, interval=0.1)
    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: all(
        events_with(rs, aggregate_id=p["permit_id"], event_type="permits.permit.reinstated")
        for p in (certificate, vpass)))
    for p in (certificate, vpass):
        types = [e["event_type"] for e in events_with(records, aggregate_id=p["permit_id"])]
        assert types[-2:] == ["permits.permit.suspended", "permits.permit.reinstated"]
        assert types.count("permits.permit.suspended") == 1

    # The registry's events delivered again (a replay, a rebalance) change nothing.
    async with system.client("permits") as permits:
        versions = {p["permit_id"]: (await permits.get(f"/applications/{p['permit_id']}")).json()["version"]
                    for p in (certificate, vpass)}
    resident_records = await read_topic(system.kafka, "registry.resident.v1", until=lambda rs: bool(
        events_with(rs, aggregate_id=resident_id, event_type="registry.quarantine.ended")))
    unique = {r.json["event_id"]: (r.key, r.value) for r in resident_records if r.key == resident_id.encode()
              and r.json["event_type"] in ("registry.quarantine.started", "registry.quarantine.ended")}
    replay = list(unique.values())
    assert len(replay) == 2
    placed = await produce_many(system.kafka, "registry.resident.v1", replay)
    for partition, offset in placed:
        await wait_consumed(system.kafka, "permits", "registry.resident.v1", partition, offset)
    assert await both_valid()
    async with system.client("permits") as permits:
        for permit_id, version in versions.items():
            assert (await permits.get(f"/applications/{permit_id}")).json()["version"] == version

    # After release the resident may apply again and be issued.
    again = await issue(system, health_certificate(resident_id))
    assert again["status"] == "issued"


async def test_application_under_review_is_not_issued_while_the_holder_is_quarantined(system: System) -> None:
    resident_id = await new_resident(system)
    async with system.client("permits") as permits:
        pending = await apply(permits, health_certificate(resident_id))
    async with system.client("registry") as registry:
        started = await registry.post(f"/residents/{resident_id}/quarantines",
                                      json={"kind": "centralized", "planned_end": "2030-02-08", "reason_code": "close_contact"})
        assert started.status_code == 201
    async with system.client("permits") as permits:
        async def known() -> bool:
            found = await permits.get(f"/quarantine-status/{resident_id}")
            return found.status_code == 200 and found.json()["in_quarantine"]

        await eventually(known)
    from permits_support import approve_all, holder_code

    decided = await approve_all(system, pending["permit_id"], ["health"])
    assert decided["status"] == "rejected" and decided["rejection"]["reason"] == "holder_in_quarantine"
    assert await holder_code(system, pending["permit_id"], pending["receipt"]) is None


async def test_a_permit_whose_query_fields_lag_its_commit_is_still_suspended(system: System) -> None:
    """An approval's commit is stored but refreshing its query fields failed (the database went
    away between the two writes; the relay repairs them only when it next publishes): the fields
    still say ``under_review``. A quarantine starting then must suspend the permit all the same:
    the permit's own latest commit decides, not its query fields (a fault scenario lost exactly
    this suspension)."""
    resident_id = await new_resident(system)
    certificate = await issue(system, health_certificate(resident_id))
    async with system.database("permits") as permits_db:
        async def relayed() -> bool:  # the relay refreshes the fields when it publishes: let it finish first
            return await permits_db["permits_outbox"].find_one(
                {"_id": {"$regex": f"^{certificate['permit_id']}@"}}) is None

        await eventually(relayed)
        fields = permits_db["permits_fields"]
        lagging = await fields.update_one({"_id": certificate["permit_id"]},
                                          {"$set": {"status": "under_review", "version": 1}})
        assert lagging.matched_count == 1
    async with system.client("registry") as registry:
        started = await registry.post(f"/residents/{resident_id}/quarantines",
                                      json={"kind": "home", "planned_end": "2030-02-08", "reason_code": "close_contact"})
        assert started.status_code == 201, started.text

    async def suspended() -> bool:
        return await verify(system, certificate["verification_code"]) == "suspended"

    await eventually(suspended, timeout=SUSPEND_WITHIN_S, interval=0.2)
