"""Issue 8's scope part for labor, on the real stack: every endpoint marked GRID or OWN in
``access_matrix.labor.SCOPE`` is tried with real data inside the caller's scope (allowed) and
outside it (403; lists filtered).

An employer liaison's token names its enterprise (``org`` claim) and reaches only that
enterprise's employer record, demands, candidates, matches, batches and case, and the job seekers
matched to it. A community officer sees only its own residents' job seeking and eligibility, and
a batch only when it carries one of them (showing only those). Residents come from the registry
(labor learns their compound from registry.resident.v1, the compound's community from
registry.grid.v1)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

import httpx

from access_matrix.labor import SCOPE
from access_matrix.marks import GRID, OWN
from e2e_support import System, eventually
from grid_support import ScopeChecks, fresh_client, new_communities
from labor_support import demand, employer, issued, job_seeker, produce_permit_events, utcnow
from people import returnee
from towngrid_kit.auth import Role

SCOPED = {
    "GET /employers/{enterprise_id}", "GET /employers",
    "POST /demands", "GET /demands/{demand_id}", "GET /demands", "GET /demands/{demand_id}/candidates",
    "POST /demands/{demand_id}/matches",
    "POST /job-seekers", "GET /job-seekers/{job_seeker_id}", "GET /job-seekers",
    "POST /job-seekers/{job_seeker_id}/local-placement", "GET /eligibility/{resident_id}",
    "POST /batches", "GET /batches/{batch_id}", "GET /batches", "POST /batches/{batch_id}/workers",
    "POST /batches/{batch_id}/boarding", "POST /batches/{batch_id}/dispatch", "POST /batches/{batch_id}/arrival",
    "POST /resumption-cases", "GET /resumption-cases/{case_id}", "GET /resumption-cases",
    "POST /resumption-cases/{case_id}/problems", "POST /resumption-cases/{case_id}/problems/{issue_id}/actions",
    "POST /resumption-cases/{case_id}/problems/{issue_id}/resolve", "POST /resumption-cases/{case_id}/resume",
}
ALL = {"limit": 200}  # one page holds every item a test made


def test_the_scoped_operations_here_are_those_the_matrix_marks() -> None:
    assert SCOPED == {op for op, mark in SCOPE.items() if mark in (GRID, OWN)}


async def resident_in(system: System, compound_id: str) -> str:
    """A returnee of ``compound_id`` (through the registry) holding a health certificate."""
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(compound_id))
        assert created.status_code == 201, created.text
    resident_id = created.json()["resident"]["resident_id"]
    await produce_permit_events(system, [(issued(resident_id), 2)])
    return resident_id


async def known_in_grid(officer: httpx.AsyncClient, resident_id: str) -> None:
    """Wait until labor knows the resident and the community of their compound (the officer's)."""
    async def known() -> bool:
        found = await officer.get(f"/eligibility/{resident_id}")
        return found.status_code == 200 and found.json()["eligible"] is True

    await eventually(known, timeout=60, interval=0.5)


async def test_every_scoped_labor_endpoint_inside_and_outside_the_callers_scope(system: System) -> None:
    a, b, c_ = await new_communities(system, count=3, compounds=1)
    (a1,), (b1,) = a.compounds, b.compounds
    resident_a, resident_b, newcomer = (await resident_in(system, a1), await resident_in(system, b1),
                                        await resident_in(system, a1))
    c = ScopeChecks()
    async with AsyncExitStack() as stack:
        def client(role: Role, scope: str = "town", organisation: str | None = None) -> httpx.AsyncClient:
            return fresh_client(system, "labor", role, scope, f"stf_{role.value}", organisation)

        admin = await stack.enter_async_context(fresh_client(system, "labor", Role.TOWN_ADMIN))
        officer_a = await stack.enter_async_context(client(Role.COMMUNITY_OFFICER, f"community:{a.community_id}"))
        officer_b = await stack.enter_async_context(client(Role.COMMUNITY_OFFICER, f"community:{b.community_id}"))
        officer_c = await stack.enter_async_context(client(Role.COMMUNITY_OFFICER, f"community:{c_.community_id}"))
        ours, theirs = await employer(admin), await employer(admin)
        local = await employer(admin, "CN-HA", "411330")
        liaison = await stack.enter_async_context(client(Role.EMPLOYER_LIAISON, organisation=ours))
        other = await stack.enter_async_context(client(Role.EMPLOYER_LIAISON, organisation=theirs))
        local_liaison = await stack.enter_async_context(client(Role.EMPLOYER_LIAISON, organisation=local))

        seeker_a = await job_seeker(admin, resident_a)
        seeker_b = await job_seeker(admin, resident_b)
        await known_in_grid(officer_a, resident_a)
        await known_in_grid(officer_b, resident_b)
        await known_in_grid(officer_a, newcomer)

        # --- employers and demand: the liaison's own enterprise only ---------------------------
        await c.reads("GET /employers/{enterprise_id}", f"/employers/{ours}", inside=[liaison], outside=[other])
        await c.lists("GET /employers", "/employers", "enterprise_id", ours, shown_to=[liaison], hidden_from=[other],
                      params=ALL)

        body = {"enterprise_id": ours, "title": "流水线操作工", "job_category": "assembly", "skills": ["soldering"],
                "headcount": 2, "wage_min_cents": 450000, "wage_max_cents": 600000, "start_date": "2030-03-01"}
        wanted = (await c.writes("POST /demands", "/demands", body, outside=[other], inside=[liaison],
                                 expected=201)).json()["demand_id"]
        await c.reads("GET /demands/{demand_id}", f"/demands/{wanted}", inside=[liaison], outside=[other])
        await c.lists("GET /demands", "/demands", "demand_id", wanted, shown_to=[liaison], hidden_from=[other],
                      params=ALL)
        await c.reads("GET /demands/{demand_id}/candidates", f"/demands/{wanted}/candidates", inside=[liaison],
                      outside=[other])

        op = "POST /demands/{demand_id}/matches"
        c.outside(op, await other.post(f"/demands/{wanted}/matches", json={"job_seeker_id": seeker_a, "placement": "batch"}))
        for seeker in (seeker_a, seeker_b):
            c.inside(op, await liaison.post(f"/demands/{wanted}/matches",
                                            json={"job_seeker_id": seeker, "placement": "batch"}), 201)

        # --- residents: an officer's own community; a liaison the seekers matched to it ---------
        register = {"resident_id": newcomer, "opt_in": True, "skills": ["assembly"], "preferred_provinces": []}
        newcomer_seeker = (await c.writes("POST /job-seekers", "/job-seekers", register, outside=[officer_b],
                                          inside=[officer_a], expected=201)).json()["job_seeker_id"]

        await c.reads("GET /job-seekers/{job_seeker_id}", f"/job-seekers/{seeker_a}", inside=[officer_a, liaison],
                      outside=[officer_b, other])
        await c.lists("GET /job-seekers", "/job-seekers", "job_seeker_id", seeker_a, shown_to=[officer_a, liaison],
                      hidden_from=[officer_b, other], params=ALL)
        seen_by_a = (await officer_a.get("/job-seekers", params=ALL)).json()["items"]
        assert {s["compound_id"] for s in seen_by_a} == {a1}

        await c.reads("GET /eligibility/{resident_id}", f"/eligibility/{resident_a}", inside=[officer_a, liaison],
                      outside=[officer_b, other])

        local_demand = (await demand(admin, local, headcount=1))["demand_id"]
        matched = await local_liaison.post(f"/demands/{local_demand}/matches",
                                           json={"job_seeker_id": newcomer_seeker, "placement": "local"})
        assert matched.status_code == 201, matched.text
        await c.writes("POST /job-seekers/{job_seeker_id}/local-placement",
                       f"/job-seekers/{newcomer_seeker}/local-placement", outside=[liaison], inside=[local_liaison])

        # --- batches: the liaison's own; an officer's only when they carry its residents --------
        op = "POST /batches"
        vehicle = issued(f"res_driver_{newcomer}", permit_type="vehicle_pass")
        await produce_permit_events(system, [(vehicle, 2)])
        schedule = {"demand_id": wanted, "departure_at": (utcnow() + timedelta(days=1)).isoformat(),
                    "vehicle_pass_id": vehicle.permit_id, "seats": 3}
        c.outside(op, await other.post("/batches", json=schedule))

        async def scheduled() -> httpx.Response | None:  # 422 until labor has heard of the vehicle pass
            made = await liaison.post("/batches", json=schedule)
            return made if made.status_code != 422 else None

        batch_id = c.inside(op, await eventually(scheduled), 201).json()["batch_id"]

        op = "POST /batches/{batch_id}/workers"
        c.outside(op, await other.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker_a}))
        for seeker in (seeker_a, seeker_b):
            c.inside(op, await liaison.post(f"/batches/{batch_id}/workers", json={"job_seeker_id": seeker}))

        op = "GET /batches/{batch_id}"
        shown_a = c.inside(op, await officer_a.get(f"/batches/{batch_id}")).json()
        assert [w["resident_id"] for w in shown_a["workers"]] == [resident_a], "only the community's own residents"
        shown_b = c.inside(op, await officer_b.get(f"/batches/{batch_id}")).json()
        assert [w["resident_id"] for w in shown_b["workers"]] == [resident_b]
        assert len(c.inside(op, await liaison.get(f"/batches/{batch_id}")).json()["workers"]) == 2
        c.outside(op, await officer_c.get(f"/batches/{batch_id}"))
        c.outside(op, await other.get(f"/batches/{batch_id}"))

        await c.lists("GET /batches", "/batches", "batch_id", batch_id, shown_to=[officer_a, liaison],
                      hidden_from=[officer_c, other], params=ALL)
        listed_a = next(x for x in (await officer_a.get("/batches", params=ALL)).json()["items"]
                        if x["batch_id"] == batch_id)
        assert [w["resident_id"] for w in listed_a["workers"]] == [resident_a]

        boarded = await c.writes("POST /batches/{batch_id}/boarding", f"/batches/{batch_id}/boarding",
                                 {"resident_id": resident_a}, outside=[officer_b, other], inside=[officer_a])
        assert boarded.json()["boarded"] is True, boarded.text

        await c.writes("POST /batches/{batch_id}/dispatch", f"/batches/{batch_id}/dispatch", outside=[other],
                       inside=[liaison])
        await c.writes("POST /batches/{batch_id}/arrival", f"/batches/{batch_id}/arrival",
                       {"arrived_worker_count": 1}, outside=[other], inside=[liaison])

        # --- the enterprise's resumption case ---------------------------------------------------
        case_id = (await c.writes("POST /resumption-cases", "/resumption-cases",
                                  {"enterprise_id": ours, "officer_id": "stf_o1"}, outside=[other], inside=[liaison],
                                  expected=201)).json()["case_id"]
        base = f"/resumption-cases/{case_id}"
        await c.reads("GET /resumption-cases/{case_id}", base, inside=[liaison], outside=[other])
        await c.lists("GET /resumption-cases", "/resumption-cases", "case_id", case_id, shown_to=[liaison],
                      hidden_from=[other], params=ALL)

        problem = {"kind": "materials", "description": "原料供应中断",
                   "deadline": (utcnow() + timedelta(days=3)).isoformat()}
        issue_id = (await c.writes("POST /resumption-cases/{case_id}/problems", f"{base}/problems", problem,
                                   outside=[other], inside=[liaison], expected=201)).json()["issue_id"]
        await c.writes("POST /resumption-cases/{case_id}/problems/{issue_id}/actions",
                       f"{base}/problems/{issue_id}/actions", {"description": "联系供应商"}, outside=[other],
                       inside=[liaison], expected=201)
        await c.writes("POST /resumption-cases/{case_id}/problems/{issue_id}/resolve",
                       f"{base}/problems/{issue_id}/resolve", {"resolution": "已恢复供应"}, outside=[other],
                       inside=[liaison])
        await c.writes("POST /resumption-cases/{case_id}/resume", f"{base}/resume", {"workers_on_site": 40},
                       outside=[other], inside=[liaison])

    assert c.wrong == []
    assert c.untried(SCOPED) == set()
