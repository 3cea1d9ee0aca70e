"""An employer's liaison learns whether a worker may go now, never why not: no quarantine and no
certificate state in candidates, a refused match, a job seeker, an eligibility or a batch
(issue 16, point 2). Town staff still see the reasons."""

from __future__ import annotations

from datetime import timedelta

from e2e_support import System, eventually
from labor_support import demand, eligible, employer, job_seeker, matched_for_batch, quarantine, scheduled_batch, utcnow
from people import new_resident
from permits_support import health_certificate, issue, vehicle_pass
from towngrid_kit.auth import Role

WHY_NOT = ("quarantine", "certificate")


def says_why(text: str) -> bool:
    return any(word in text.lower() for word in WHY_NOT)


async def test_a_liaison_sees_eligibility_but_never_why_not(system: System) -> None:
    rid, driver = await new_resident(system), await new_resident(system)
    await issue(system, health_certificate(rid, purpose="labour_batch"))
    vehicle = await issue(system, vehicle_pass(driver, valid_until=(utcnow() + timedelta(days=7)).isoformat()))
    async with system.client("labor") as admin:
        seeker = await job_seeker(admin, rid, preferred=["CN-FJ"])
        await eligible(admin, rid)
        enterprise = await employer(admin, "CN-FJ", "350200")
        wanted = await demand(admin, enterprise, headcount=2)
        await matched_for_batch(admin, wanted["demand_id"], seeker)
        batch_id = (await scheduled_batch(admin, wanted["demand_id"], vehicle["permit_id"]))["batch_id"]
        assert (await admin.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker})).status_code == 200
        # a second seeker, unmatched, in quarantine: a candidate the liaison might try to match
        other = await new_resident(system)
        other_seeker = await job_seeker(admin, other, preferred=["CN-FJ"])
        await quarantine(system, other)
        await quarantine(system, rid)
        await eligible(admin, rid, expected=False)
        await eligible(admin, other, expected=False)

        async def flagged() -> dict | None:
            found = (await admin.get(f"/batches/{batch_id}")).json()
            return found if rid in found["flagged"] else None

        staff_batch = await eventually(flagged)
        assert "in_quarantine" in staff_batch["workers"][0]["reasons"]  # staff see why
        assert "in_quarantine" in (await admin.get(f"/eligibility/{rid}")).json()["reasons"]

    async with system.client("labor", Role.EMPLOYER_LIAISON, organisation=enterprise) as liaison:
        answers = {
            "batch": await liaison.get(f"/batches/{batch_id}"),
            "batches": await liaison.get("/batches", params={"limit": 200}),
            "eligibility": await liaison.get(f"/eligibility/{rid}"),
            "job seeker": await liaison.get(f"/job-seekers/{seeker}"),
            "candidates": await liaison.get(f"/demands/{wanted['demand_id']}/candidates"),
            "match refused": await liaison.post(f"/demands/{wanted['demand_id']}/matches",
                                                json={"job_seeker_id": other_seeker, "placement": "batch"}),
            "boarding refused": await liaison.post(f"/batches/{batch_id}/boarding", json={"resident_id": rid}),
        }
    assert answers["match refused"].status_code == 409, answers["match refused"].text
    assert answers["eligibility"].json() == {"resident_id": rid, "eligible": False}
    assert answers["boarding refused"].json()["boarded"] is False
    assert any(c["job_seeker_id"] == other_seeker and not c["eligible"]
               for c in answers["candidates"].json()["candidates"])
    for what, answer in answers.items():
        assert answer.status_code in (200, 409), (what, answer.text)
        assert not says_why(answer.text), f"{what} tells the liaison why: {answer.text}"
