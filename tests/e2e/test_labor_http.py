"""The labor api on the real stack: local placement, enterprise resumption cases, figures,
and bad input refused with the field named and nothing stored; tokens and roles checked."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest

from e2e_support import System, eventually, events_with, read_topic
from labor_support import demand, eligible, employer, issued, job_seeker, produce_permit_events, utcnow
from people import new_resident
from towngrid_kit.auth import Role


async def test_local_placement_is_matched_placed_and_counted(system: System) -> None:
    rid = await new_resident(system)
    await produce_permit_events(system, [(issued(rid), 2)])
    async with system.client("labor") as labor:
        local = await employer(labor, "CN-HA", "411330")
        assert (await labor.get(f"/employers/{local}")).json()["local"] is True
        wanted = await demand(labor, local, headcount=3)
        assert wanted["local"] is True and wanted["province"] == "CN-HA" and wanted["city_code"] == "411330"
        seeker = await job_seeker(labor, rid, preferred=[])
        await eligible(labor, rid)
        wrong = await labor.post(f"/demands/{wanted['demand_id']}/matches",
                                 json={"job_seeker_id": seeker, "placement": "batch"})
        assert wrong.status_code == 422 and "body.placement" in wrong.text
        before = (await labor.get("/figures")).json()
        matched = await labor.post(f"/demands/{wanted['demand_id']}/matches",
                                   json={"job_seeker_id": seeker, "placement": "local"})
        assert matched.status_code == 201, matched.text
        placed = await labor.post(f"/job-seekers/{seeker}/local-placement")
        assert placed.status_code == 200 and placed.json()["match"]["placed_at"] is not None
        twice = await labor.post(f"/job-seekers/{seeker}/local-placement")
        assert twice.status_code == 409
        after = (await labor.get("/figures")).json()
        assert after["placed_locally"] == before["placed_locally"] + 1
        assert after["workers_matched"] == before["workers_matched"] + 1
        batch = await labor.post("/batches", json={"demand_id": wanted["demand_id"], "vehicle_pass_id": "pmt_x",
                                                   "departure_at": (utcnow() + timedelta(days=1)).isoformat(),
                                                   "seats": 3})
        assert batch.status_code in (409, 422)

    records = await read_topic(system.kafka, "labor.job_seeker.v1", until=lambda rs: bool(
        events_with(rs, aggregate_id=seeker, event_type="labor.worker.placed_locally")))
    assert [e["event_type"] for e in events_with(records, aggregate_id=seeker)] == [
        "labor.job_seeker.registered", "labor.worker.matched", "labor.worker.placed_locally"]


async def test_resumption_case_problems_overdue_actions_resolution_resumed(system: System) -> None:
    async with system.client("labor") as labor:
        enterprise = await employer(labor, "CN-HA", "411330")
        await demand(labor, enterprise, headcount=5)
        opened = await labor.post("/resumption-cases", json={"enterprise_id": enterprise, "officer_id": "stf_officer_1"})
        assert opened.status_code == 201, opened.text
        case_id = opened.json()["case_id"]
        second = await labor.post("/resumption-cases", json={"enterprise_id": enterprise, "officer_id": "stf_2"})
        assert second.status_code == 409, "one enterprise, one case"
        before = (await labor.get("/figures")).json()
        soon = await labor.post(f"/resumption-cases/{case_id}/problems", json={
            "kind": "materials", "description": "原料供应中断", "deadline": (utcnow() + timedelta(seconds=2)).isoformat()})
        later = await labor.post(f"/resumption-cases/{case_id}/problems", json={
            "kind": "epidemic_prevention", "description": "缺少口罩和消毒液",
            "deadline": (utcnow() + timedelta(days=3)).isoformat()})
        assert soon.status_code == later.status_code == 201, soon.text
        soon_id, later_id = soon.json()["issue_id"], later.json()["issue_id"]

        async def overdue() -> dict | None:
            case = (await labor.get(f"/resumption-cases/{case_id}")).json()
            return case if case["overdue_problems"] == [soon_id] else None

        case = await eventually(overdue, timeout=15)

        async def flagged_by_the_worker() -> dict | None:
            case = (await labor.get(f"/resumption-cases/{case_id}")).json()
            return case if case["problems"][0]["overdue_flagged_at"] else None

        flagged = await eventually(flagged_by_the_worker, timeout=30)
        assert flagged["problems"][1]["overdue_flagged_at"] is None
        assert case["officer_id"] == "stf_officer_1" and case["open_problems"] == 2
        assert [d["headcount"] for d in case["demands"]] == [5], "linked to the enterprise's demand"
        figures = (await labor.get("/figures")).json()
        assert figures["problems_open"] == before["problems_open"] + 2
        assert figures["problems_overdue"] >= before["problems_overdue"] + 1

        acted = await labor.post(f"/resumption-cases/{case_id}/problems/{soon_id}/actions",
                                 json={"description": "协调县工信局调货"})
        assert acted.status_code == 201 and len(acted.json()["actions"]) == 1
        too_early = await labor.post(f"/resumption-cases/{case_id}/resume", json={"workers_on_site": 40})
        assert too_early.status_code == 409, "problems still open"
        for issue in (soon_id, later_id):
            done = await labor.post(f"/resumption-cases/{case_id}/problems/{issue}/resolve",
                                    json={"resolution": "已解决"})
            assert done.status_code == 200 and done.json()["resolved_at"] is not None
        resumed = await labor.post(f"/resumption-cases/{case_id}/resume", json={"workers_on_site": 40})
        assert resumed.status_code == 200 and resumed.json()["status"] == "resumed"
        assert resumed.json()["overdue_problems"] == []
        after = (await labor.get("/figures")).json()
        assert after["enterprises_resumed"] == before["enterprises_resumed"] + 1

    records = await read_topic(system.kafka, "labor.resumption.v1", until=lambda rs: bool(
        events_with(rs, aggregate_id=case_id, event_type="labor.resumption.enterprise_resumed")))
    events = events_with(records, aggregate_id=case_id)
    overdue_events = [e for e in events if e["event_type"] == "labor.resumption.issue_overdue"]
    assert [e["data"]["issue_id"] for e in overdue_events] == [soon_id], "flagged once, only the late problem"
    assert [e["event_type"] for e in events if e not in overdue_events] == [
        "labor.resumption.case_opened", "labor.resumption.issue_raised", "labor.resumption.issue_raised",
        "labor.resumption.action_recorded", "labor.resumption.issue_resolved",
        "labor.resumption.issue_resolved", "labor.resumption.enterprise_resumed"]
    text = str(events_with(records, aggregate_id=case_id))
    assert "原料" not in text, "problem descriptions stay in labor"


def later() -> str:
    return (utcnow() + timedelta(days=1)).isoformat()


BAD = [
    ("employer province unknown", "/employers", {"name": "x", "province": "CN-XX", "city_code": "441900"}, "body.province"),
    ("employer province malformed", "/employers", {"name": "x", "province": "Guangdong", "city_code": "441900"}, "body.province"),
    ("employer city not in province", "/employers", {"name": "x", "province": "CN-GD", "city_code": "330100"}, "body.city_code"),
    ("employer unknown field", "/employers", {"name": "x", "province": "CN-GD", "city_code": "441900", "boss": "y"}, "body.boss"),
    ("employer name missing", "/employers", {"province": "CN-GD", "city_code": "441900"}, "body.name"),
    ("demand headcount zero", "/demands", {"headcount": 0}, "body.headcount"),
    ("demand wage range upside down", "/demands", {"wage_min_cents": 700000, "wage_max_cents": 1}, "body.wage_min_cents"),
    ("demand start_date not a date", "/demands", {"start_date": "soon"}, "body.start_date"),
    ("demand skill not a code", "/demands", {"skills": ["Welding!"]}, "body.skills.0"),
    ("demand unknown employer", "/demands", {"enterprise_id": "ent_nobody"}, "body.enterprise_id"),
    ("demand elsewhere without city", "/demands", {"province": "CN-JS"}, "body.city_code"),
    ("seeker without opt-in", "/job-seekers", {"resident_id": "res_x", "skills": ["assembly"]}, "body.opt_in"),
    ("seeker opt-in false", "/job-seekers", {"resident_id": "res_x", "opt_in": False, "skills": ["assembly"]}, "body.opt_in"),
    ("seeker unknown resident", "/job-seekers", {"resident_id": "res_nobody", "opt_in": True, "skills": ["assembly"]}, "body.resident_id"),
    ("seeker bad province", "/job-seekers", {"resident_id": "res_x", "opt_in": True, "skills": ["a_b"], "preferred_provinces": ["GD"]}, "body.preferred_provinces.0"),
    ("batch unknown demand", "/batches", {"demand_id": "dem_nobody", "departure_at": "LATER", "vehicle_pass_id": "pmt_x", "seats": 3}, "body.demand_id"),
    ("batch naive departure", "/batches", {"demand_id": "dem_x", "departure_at": "2030-01-01T08:00:00", "vehicle_pass_id": "pmt_x", "seats": 3}, "body.departure_at"),
    ("batch no seats", "/batches", {"demand_id": "dem_x", "departure_at": "LATER", "vehicle_pass_id": "pmt_x", "seats": 0}, "body.seats"),
    ("case without officer", "/resumption-cases", {"enterprise_id": "ent_x"}, "body.officer_id"),
    ("case unknown enterprise", "/resumption-cases", {"enterprise_id": "ent_nobody", "officer_id": "stf_1"}, "body.enterprise_id"),
]

COLLECTIONS = {"/employers": "/employers", "/demands": "/demands", "/job-seekers": "/job-seekers",
               "/batches": "/batches", "/resumption-cases": "/resumption-cases"}


async def count(labor: httpx.AsyncClient, path: str) -> int:
    total, after = 0, None
    while True:
        page = (await labor.get(path, params={"limit": 200} | ({"after": after} if after else {}))).json()
        total += len(page["items"])
        if not (after := page["next_after"]):
            return total


@pytest.mark.parametrize(("case", "path", "body", "field"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_refused_naming_the_field_and_nothing_stored(
        system: System, case: str, path: str, body: dict, field: str) -> None:
    async with system.client("labor") as labor:
        if path == "/demands":
            base = {"enterprise_id": await employer(labor), "title": "操作工", "job_category": "assembly",
                    "headcount": 2, "wage_min_cents": 1, "wage_max_cents": 2, "start_date": "2030-03-01"}
            body = base | body
        body = {k: (later() if v == "LATER" else v) for k, v in body.items()}
        stored = await count(labor, COLLECTIONS[path])
        response = await labor.post(path, json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert field in [e["field"] for e in problem["errors"]], problem
        assert await count(labor, COLLECTIONS[path]) == stored


async def test_bad_input_on_nested_routes(system: System) -> None:
    async with system.client("labor") as labor:
        enterprise = await employer(labor)
        case_id = (await labor.post("/resumption-cases", json={"enterprise_id": enterprise, "officer_id": "stf_1"})).json()["case_id"]
        for body, field in [({"kind": "aliens", "description": "x", "deadline": later()}, "body.kind"),
                            ({"kind": "finance", "description": "", "deadline": later()}, "body.description"),
                            ({"kind": "finance", "description": "x", "deadline": "2000-01-01T00:00:00Z"}, "body.deadline")]:
            response = await labor.post(f"/resumption-cases/{case_id}/problems", json=body)
            assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]], response.text
        assert (await labor.get(f"/resumption-cases/{case_id}")).json()["problems"] == []
        wanted = await demand(labor, enterprise)
        for body, field in [({"job_seeker_id": "js_x", "placement": "train"}, "body.placement"),
                            ({"job_seeker_id": "js_nobody", "placement": "batch"}, "body.job_seeker_id")]:
            response = await labor.post(f"/demands/{wanted['demand_id']}/matches", json=body)
            assert response.status_code == 422 and field in [e["field"] for e in response.json()["errors"]], response.text
        assert (await labor.get(f"/demands/{wanted['demand_id']}")).json()["matches"] == []
        assert (await labor.post("/batches/bat_nobody/boarding", json={"resident_id": "res_x"})).status_code == 404
        bad_count = await labor.post("/batches/bat_nobody/arrival", json={"arrived_worker_count": -1})
        assert bad_count.status_code == 422 and "body.arrived_worker_count" in bad_count.text


async def test_tokens_roles_and_idempotency_keys(system: System) -> None:
    body = {"name": "某厂", "province": "CN-JX", "city_code": "360100"}
    async with httpx.AsyncClient(base_url=system.services["labor"].url) as anonymous:
        assert (await anonymous.post("/employers", json=body)).status_code == 401
        assert (await anonymous.get("/figures")).status_code == 401
        assert (await anonymous.get("/healthz")).status_code == 200
    async with system.client("labor", Role.MERCHANT) as merchant:
        assert (await merchant.post("/employers", json=body)).status_code == 403
    async with system.client("labor", Role.COUNTY_SUBSCRIBER) as county:
        assert (await county.get("/figures")).status_code == 200
        assert (await county.post("/employers", json=body)).status_code == 403
    async with system.client("labor") as labor:
        key = {"Idempotency-Key": f"emp-{uuid.uuid4()}"}
        first, retry = await asyncio.gather(labor.post("/employers", json=body, headers=key),
                                            labor.post("/employers", json=body, headers=key))
        codes = sorted((first.status_code, retry.status_code))
        assert codes in ([201, 201], [201, 409]), (first.text, retry.text)
        again = await labor.post("/employers", json=body, headers=key)
        assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
        ids = {r.json()["enterprise_id"] for r in (first, retry, again) if r.status_code == 201}
        assert len(ids) == 1
        different = await labor.post("/employers", json=body | {"name": "另一厂"}, headers=key)
        assert different.status_code == 422
        places = (await labor.get("/places")).json()["provinces"]
        assert {p["province"] for p in places} >= {"CN-GD", "CN-HN", "CN-SD", "CN-JX", "CN-ZJ", "CN-JS", "CN-FJ"}
