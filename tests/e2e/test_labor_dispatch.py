"""Labor on the real stack: eligibility from the registry's and the permits' events, matching,
and health-gated dispatch batches (registry → labor, permits topic → labor, labor → topic)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from e2e_support import System, eventually, events_with, produce_many, read_topic, wait_consumed
from people import new_resident
from labor_support import (
    demand,
    eligible,
    employer,
    issued,
    job_seeker,
    known_vehicle_pass,
    matched_for_batch,
    produce_permit_events,
    quarantine,
    utcnow,
)
from towngrid_contracts.permits import PermitReinstated, PermitSuspended

BATCH_TOPIC = "labor.batch.v1"
RESIDENT_TOPIC = "registry.resident.v1"


async def test_quarantined_worker_is_flagged_on_the_batch_and_refused_at_boarding(system: System) -> None:
    """The issue's "done when": a worker put into quarantine in the registry (through its HTTP
    api) is flagged on their batch at once and left off at the door; the batch departs with
    the others only, and BatchDispatched names only them."""
    stays, falls_ill = await new_resident(system), await new_resident(system)
    await produce_permit_events(system, [(issued(stays), 2), (issued(falls_ill), 2)])
    async with system.client("labor") as labor:
        enterprise = await employer(labor)
        wanted = await demand(labor, enterprise, headcount=2)
        seekers = {rid: await job_seeker(labor, rid) for rid in (stays, falls_ill)}
        for rid in seekers:
            await eligible(labor, rid)
        for seeker in seekers.values():
            await matched_for_batch(labor, wanted["demand_id"], seeker)
        batch = await known_vehicle_pass(system, labor, wanted["demand_id"], seats=3)
        batch_id = batch["batch_id"]
        assert batch["destination_province"] == "CN-GD" and batch["destination_city_code"] == "441900"
        for seeker in seekers.values():
            added = await labor.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker})
            assert added.status_code == 200, added.text
        assert added.json()["seats_left"] == 1 and added.json()["flagged"] == []

        started = time.monotonic()
        quarantine_id = await quarantine(system, falls_ill)

        async def flagged() -> dict | None:
            found = (await labor.get(f"/batches/{batch_id}")).json()
            return found if falls_ill in found["flagged"] else None

        on_batch = await eventually(flagged, interval=0.05)
        print(f"quarantine POST in the registry -> flag on the labor batch: {time.monotonic() - started:.2f} s")
        worker = next(w for w in on_batch["workers"] if w["resident_id"] == falls_ill)
        assert worker["eligible"] is False and worker["reasons"] == ["in_quarantine"]
        assert stays not in on_batch["flagged"]

        # The registry's event delivered again changes nothing on the batch.
        resident_records = await read_topic(system.kafka, RESIDENT_TOPIC, until=lambda rs: bool(
            events_with(rs, aggregate_id=falls_ill, event_type="registry.quarantine.started")))
        original = next(r for r in resident_records
                        if r.key == falls_ill.encode() and r.json["event_type"] == "registry.quarantine.started")
        [(partition, offset)] = await produce_many(system.kafka, RESIDENT_TOPIC, [(original.key, original.value)])
        await wait_consumed(system.kafka, "labor", RESIDENT_TOPIC, partition, offset)
        assert (await labor.get(f"/batches/{batch_id}")).json()["version"] == on_batch["version"]
        listed = (await labor.get("/batches", params={"flagged": "true", "limit": 200})).json()
        assert batch_id in {b["batch_id"] for b in listed["items"]}

        stranger = await labor.post(f"/batches/{batch_id}/boarding", json={"resident_id": "res_not_on_it"})
        assert stranger.status_code == 422 and "body.resident_id" in stranger.text
        refused = await labor.post(f"/batches/{batch_id}/boarding", json={"resident_id": falls_ill})
        assert refused.status_code == 200, refused.text
        assert refused.json()["boarded"] is False and refused.json()["reasons"] == ["in_quarantine"]
        boarded = await labor.post(f"/batches/{batch_id}/boarding", json={"resident_id": stays})
        assert boarded.json()["boarded"] is True and boarded.json()["reasons"] == []

        before = (await labor.get("/figures")).json()
        departed = await labor.post(f"/batches/{batch_id}/dispatch", json={"escort_staff_id": "stf_escort_1"})
        assert departed.status_code == 200, departed.text
        assert departed.json()["status"] == "departed" and departed.json()["boarded"] == [stays]
        again = await labor.post(f"/batches/{batch_id}/dispatch")
        assert again.status_code == 409
        arrived = await labor.post(f"/batches/{batch_id}/arrival", json={"arrived_worker_count": 1})
        assert arrived.status_code == 200 and arrived.json()["status"] == "arrived"
        after = (await labor.get("/figures")).json()
        assert after["dispatched_by_province"].get("CN-GD", 0) == before["dispatched_by_province"].get("CN-GD", 0) + 1

    records = await read_topic(system.kafka, BATCH_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=batch_id, event_type="labor.batch.arrived")))
    mine = events_with(records, aggregate_id=batch_id)
    types = [e["event_type"] for e in mine]
    assert types == ["labor.batch.scheduled", "labor.batch.worker_added", "labor.batch.worker_added",
                     "labor.batch.worker_flagged", "labor.batch.boarding_checked", "labor.batch.boarding_checked",
                     "labor.batch.dispatched", "labor.batch.arrived"]
    assert [e["aggregate_version"] for e in mine] == list(range(1, 9))
    flag = mine[3]["data"]
    assert flag["resident_id"] == falls_ill and flag["eligible"] is False and flag["reasons"] == ["in_quarantine"]
    dispatched = mine[6]["data"]
    assert dispatched["worker_resident_ids"] == [stays] and dispatched["destination_province"] == "CN-GD"
    assert dispatched["escort_staff_id"] == "stf_escort_1" and dispatched["enterprise_ids"] == [enterprise]
    assert quarantine_id  # the registry's quarantine caused it

    # labor -> registry: the departed batch marks the worker who left as having left town.
    async with system.client("registry") as registry:
        async def left_town() -> dict | None:
            file = (await registry.get(f"/residents/{stays}")).json()
            return file["left_town"] if file.get("left_town") else None

        assert (await eventually(left_town))["batch_id"] == batch_id
        assert (await registry.get(f"/residents/{falls_ill}")).json()["left_town"] is None


async def test_a_worker_in_quarantine_cannot_join_a_batch(system: System) -> None:
    rid = await new_resident(system)
    await produce_permit_events(system, [(issued(rid), 2)])
    async with system.client("labor") as labor:
        wanted = await demand(labor, await employer(labor, "CN-ZJ", "330100"), headcount=1)
        seeker = await job_seeker(labor, rid, preferred=["CN-ZJ"])
        await eligible(labor, rid)
        await matched_for_batch(labor, wanted["demand_id"], seeker)
        batch = await known_vehicle_pass(system, labor, wanted["demand_id"])
        await quarantine(system, rid)
        await eligible(labor, rid, expected=False)
        refused = await labor.post(f"/batches/{batch['batch_id']}/workers", json={"job_seeker_id": seeker})
        assert refused.status_code == 409 and "quarantine" in refused.text
        assert (await labor.get(f"/batches/{batch['batch_id']}")).json()["workers"] == []


async def test_eligibility_follows_permit_events_idempotently_per_source(system: System) -> None:
    """Health certificate events (versioned per permit) and quarantine events (versioned per
    resident file) are applied independently; replays and redeliveries change nothing; the
    validity window is checked at read time."""
    rid = await new_resident(system)  # resident file at version 1
    async with system.client("labor") as labor:
        await job_seeker(labor, rid)  # the registry's event arrived
        cert = issued(rid)
        issued_event_id = uuid.uuid4()
        await produce_permit_events(system, [(cert, 2)], [issued_event_id])
        first = await eligible(labor, rid)
        assert first["certificate_id"] == cert.permit_id

        now = utcnow()
        suspended = PermitSuspended(permit_id=cert.permit_id, permit_type="health_certificate",
                                    holder_resident_id=rid, reason="under_investigation", suspended_at=now)
        suspended_id = uuid.uuid4()
        await produce_permit_events(system, [(suspended, 3)], [suspended_id])
        off = await eligible(labor, rid, expected=False)
        assert off["reasons"] == ["no_valid_health_certificate"] and "suspended" in off["details"][0]

        # A redelivery of the suspension and a replay of the older issue change nothing.
        await produce_permit_events(system, [(suspended, 3), (cert, 2)], [suspended_id, issued_event_id])
        await asyncio.sleep(2)
        assert (await labor.get(f"/eligibility/{rid}")).json()["eligible"] is False

        reinstated = PermitReinstated(permit_id=cert.permit_id, permit_type="health_certificate",
                                      holder_resident_id=rid, valid_until=utcnow() + timedelta(seconds=10),
                                      reinstated_at=utcnow())
        await produce_permit_events(system, [(reinstated, 4)])
        back = await eligible(labor, rid)

        # Quarantine (resident version 2) is a different source: it applies although the
        # permit is already at version 4, and it does not hide the certificate.
        await quarantine(system, rid)
        in_q = await eligible(labor, rid, expected=False)
        assert in_q["reasons"] == ["in_quarantine"] and in_q["in_quarantine"] is True
        assert back["certificate_valid_until"] is not None

        # No event is needed for the certificate to run out: valid_until is checked when read.
        async def ran_out() -> dict | None:
            found = (await labor.get(f"/eligibility/{rid}")).json()
            return found if "no_valid_health_certificate" in found["reasons"] else None

        expired = await eventually(ran_out, timeout=25)
        assert "past its valid_until" in " ".join(expired["details"])


async def test_candidates_are_ranked_with_reasons_and_a_demand_is_never_over_filled(system: System) -> None:
    skilled, unskilled, elsewhere, sick = [await new_resident(system) for _ in range(4)]
    await produce_permit_events(system, [(issued(r), 2) for r in (skilled, unskilled, elsewhere)])
    async with system.client("labor") as labor:
        category = f"weld{uuid.uuid4().hex[:8]}"
        wanted = await demand(labor, await employer(labor, "CN-SD", "370200"), headcount=1, job_category=category,
                              skills=["cutting"])
        seekers = {
            skilled: await job_seeker(labor, skilled, [category, "cutting"], ["CN-SD"]),
            unskilled: await job_seeker(labor, unskilled, ["cooking"], []),
            elsewhere: await job_seeker(labor, elsewhere, [category], ["CN-FJ"]),
            sick: await job_seeker(labor, sick, [category, "cutting"], ["CN-SD"]),
        }
        for rid in (skilled, unskilled, elsewhere):
            await eligible(labor, rid)
        ranked = (await labor.get(f"/demands/{wanted['demand_id']}/candidates", params={"limit": 200})).json()
        ours = [c for c in ranked["candidates"] if c["job_seeker_id"] in seekers.values()]
        assert [c["job_seeker_id"] for c in ours] == [seekers[skilled], seekers[elsewhere], seekers[sick]], \
            "ranked by eligibility, skills and preference; a seeker with none of the wanted skills is no candidate"
        assert ours[0]["score"] == 160 and any("prefers CN-SD" in r for r in ours[0]["reasons"])
        assert ours[-1]["eligible"] is False and "no health certificate" in ours[-1]["reasons"][0]

        # Three officers confirm at once for the one position: exactly one wins.
        tries = await asyncio.gather(*(labor.post(f"/demands/{wanted['demand_id']}/matches",
                                                  json={"job_seeker_id": seekers[r], "placement": "batch"})
                                       for r in (skilled, unskilled, elsewhere)))
        assert sorted(t.status_code for t in tries) == [201, 409, 409], [t.text for t in tries]
        final = (await labor.get(f"/demands/{wanted['demand_id']}")).json()
        assert final["filled"] == 1 and final["status"] == "filled" and len(final["matches"]) == 1
        ineligible = await labor.post(f"/demands/{wanted['demand_id']}/matches",
                                      json={"job_seeker_id": seekers[sick], "placement": "batch"})
        assert ineligible.status_code == 409

    winner = final["matches"][0]["job_seeker_id"]
    records = await read_topic(system.kafka, "labor.job_seeker.v1", until=lambda rs: bool(
        events_with(rs, aggregate_id=winner, event_type="labor.worker.matched")))
    matched = events_with(records, aggregate_id=winner, event_type="labor.worker.matched")
    assert len(matched) == 1 and matched[0]["data"]["demand_id"] == wanted["demand_id"]
    assert matched[0]["data"]["placement"] == "batch"


async def test_a_certificate_that_runs_out_is_flagged_on_the_batch(system: System) -> None:
    """No event says a certificate ran out: the worker's sweep flags it against the clock."""
    resident = await new_resident(system)
    await produce_permit_events(system, [(issued(resident, days=25 / 86400), 2)])  # valid for 25 s
    async with system.client("labor") as labor:
        wanted = await demand(labor, await employer(labor), headcount=1)
        seeker = await job_seeker(labor, resident)
        await eligible(labor, resident)
        await matched_for_batch(labor, wanted["demand_id"], seeker)
        batch_id = (await known_vehicle_pass(system, labor, wanted["demand_id"], seats=2))["batch_id"]
        added = await labor.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker})
        assert added.status_code == 200 and added.json()["flagged"] == [], added.text

        async def flagged() -> dict | None:
            found = (await labor.get(f"/batches/{batch_id}")).json()
            return found if resident in found["flagged"] else None

        on_batch = await eventually(flagged, timeout=60, interval=0.5)
        worker = next(w for w in on_batch["workers"] if w["resident_id"] == resident)
        assert worker["reasons"] == ["no_valid_health_certificate"]
    records = await read_topic(system.kafka, BATCH_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=batch_id, event_type="labor.batch.worker_flagged")))
    flags = events_with(records, aggregate_id=batch_id, event_type="labor.batch.worker_flagged")
    assert len(flags) == 1 and flags[0]["data"]["reasons"] == ["no_valid_health_certificate"]
