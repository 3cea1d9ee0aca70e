"""Registry → permits → labor through the public HTTP apis only: a health certificate and a
vehicle pass issued by the permits service's joint review make a resident eligible in labor;
a quarantine started in the registry flags the worker on the batch and refuses them at boarding."""

from __future__ import annotations

from e2e_support import System, eventually
from labor_support import demand, eligible, employer, job_seeker, matched_for_batch, quarantine, scheduled_batch, utcnow
from people import new_resident, release
from permits_support import health_certificate, issue, vehicle_pass

from datetime import timedelta


async def test_certificate_issued_by_permits_makes_eligible_and_quarantine_flags_the_batch(system: System) -> None:
    rid, driver = await new_resident(system), await new_resident(system)
    certificate = await issue(system, health_certificate(rid, purpose="labour_batch"))
    vehicle = await issue(system, vehicle_pass(driver, valid_until=(utcnow() + timedelta(days=7)).isoformat()))
    async with system.client("labor") as labor:
        seeker = await job_seeker(labor, rid, preferred=["CN-FJ"])
        found = await eligible(labor, rid)
        assert found["certificate_id"] == certificate["permit_id"]
        wanted = await demand(labor, await employer(labor, "CN-FJ", "350200"), headcount=1)
        await matched_for_batch(labor, wanted["demand_id"], seeker)
        batch_id = (await scheduled_batch(labor, wanted["demand_id"], vehicle["permit_id"]))["batch_id"]
        added = await labor.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker})
        assert added.status_code == 200, added.text

        assert added.json()["workers"][0]["eligible"] is True

        quarantine_id = await quarantine(system, rid)

        # Flagged for both reasons: the quarantine (from the registry) and the certificate the
        # permits service suspended. Waiting for the second too matters: were the quarantine to
        # end before labor applied the suspension, the flag would clear and come back.
        async def flagged() -> dict | None:
            found = (await labor.get(f"/batches/{batch_id}")).json()
            reasons = found["workers"][0]["reasons"] if rid in found["flagged"] else []
            return found if {"in_quarantine", "no_valid_health_certificate"} <= set(reasons) else None

        worker = (await eventually(flagged))["workers"][0]
        assert worker["eligible"] is False and "in_quarantine" in worker["reasons"]
        assert worker["eligible_now"] is False
        refused = (await labor.post(f"/batches/{batch_id}/boarding", json={"resident_id": rid})).json()
        assert refused["boarded"] is False and "in_quarantine" in refused["reasons"]

        # Released in the registry: the permits service reinstates the certificate, labor
        # clears the flag, and the worker boards and departs.
        await release(system, rid, quarantine_id)

        async def cleared() -> dict | None:
            found = (await labor.get(f"/batches/{batch_id}")).json()
            return found if found["flagged"] == [] and found["workers"][0]["eligible_now"] else None

        assert (await eventually(cleared))["workers"][0]["eligible"] is True
        boarded = (await labor.post(f"/batches/{batch_id}/boarding", json={"resident_id": rid})).json()
        assert boarded["boarded"] is True, boarded
        departed = await labor.post(f"/batches/{batch_id}/dispatch")
        assert departed.status_code == 200 and departed.json()["boarded"] == [rid]
