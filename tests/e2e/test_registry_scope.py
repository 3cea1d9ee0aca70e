"""Grid scope in the registry, on the real stack (issue 8).

Two communities, A and B, imported from CSV; A has compounds A1 and A2, B has B1. For every
registry endpoint whose scope is GRID (``access_matrix.registry.SCOPE``), real things are made
in A (and B), then the endpoint is called as an officer of A (let in), an officer of B (403, and
lists do not show A's things), and, where volunteers may call it, a volunteer of A1 (let in) and
of A2 (403). A refused call changes nothing: the call let in afterwards still finds the thing as
it was. ``test_every_grid_endpoint_is_covered`` keeps the list of covered operations equal to
the GRID operations of the matrix, so a new endpoint cannot be forgotten.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from access_matrix import registry as matrix
from access_matrix.marks import GRID
from e2e_support import System
from people import returnee
from towngrid_kit.auth import Role

pytestmark = pytest.mark.stack

COVERED: dict[str, str] = {}


def covers(*operations: str) -> Callable:
    """Record that the decorated test checks these operations inside and outside scope."""

    def mark(test: Callable) -> Callable:
        for operation in operations:
            assert operation not in COVERED, f"{operation} covered twice"
            COVERED[operation] = test.__name__
        return test

    return mark


@dataclass
class Town:
    a: str  # community A
    b: str  # community B
    a1: str  # compounds
    a2: str
    b1: str
    group_a1: str
    admin: httpx.AsyncClient
    officer_a: httpx.AsyncClient
    officer_b: httpx.AsyncClient
    volunteer_a1: httpx.AsyncClient
    volunteer_a2: httpx.AsyncClient

    async def resident(self, compound: str, **overrides: object) -> str:
        made = await self.admin.post("/residents", json=returnee(compound, **overrides))
        assert made.status_code == 201, made.text
        return made.json()["resident"]["resident_id"]

    async def quarantined(self, compound: str, kind: str = "home") -> tuple[str, str]:
        rid = await self.resident(compound)
        started = await self.admin.post(f"/residents/{rid}/quarantines", json={
            "kind": kind, "planned_end": "2030-01-14", "reason_code": "returned_from_risk_area"})
        assert started.status_code == 201, started.text
        return rid, started.json()["quarantine_id"]

    async def enrolled(self, compound: str) -> str:
        rid = await self.resident(compound)
        made = await self.admin.post(f"/residents/{rid}/care", json={"category": "elderly_living_alone",
                                                                     "visit_every_days": 2})
        assert made.status_code == 201, made.text
        return rid

    async def tip(self, compound: str) -> str:
        made = await self.admin.post("/tips", json={"kind": "gathering", "channel": "hotline", "compound_id": compound,
                                                    "description": "院内聚集打牌"})
        assert made.status_code == 201, made.text
        return made.json()["tip_id"]


async def refused(response: httpx.Response) -> None:
    assert response.status_code == 403, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    assert "outside your scope" in response.json()["detail"], response.text


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json()


@pytest.fixture(scope="module")
async def town(system: System) -> AsyncIterator[Town]:
    tag = uuid.uuid4().hex[:5].upper()
    a, b = f"SA{tag}", f"SB{tag}"
    a1, a2, b1 = f"{a}-1", f"{a}-2", f"{b}-1"
    csv = ("community_id,community_name,compound_id,compound_name,group_id,group_name\n"
           f"{a},社区甲,{a1},甲一院,{a1}-G1,一号楼\n{a},社区甲,{a2},甲二院,{a2}-G1,一号楼\n"
           f"{b},社区乙,{b1},乙一院,{b1}-G1,一号楼\n")
    clients = {
        "admin": system.client("registry"),
        "officer_a": system.client("registry", Role.COMMUNITY_OFFICER, f"community:{a}", "officer-a"),
        "officer_b": system.client("registry", Role.COMMUNITY_OFFICER, f"community:{b}", "officer-b"),
        "volunteer_a1": system.client("registry", Role.COMPOUND_VOLUNTEER, f"compound:{a1}", "volunteer-a1"),
        "volunteer_a2": system.client("registry", Role.COMPOUND_VOLUNTEER, f"compound:{a2}", "volunteer-a2"),
    }
    try:
        imported = await clients["admin"].post("/grid/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
        yield Town(a, b, a1, a2, b1, f"{a1}-G1", **clients)
    finally:
        for client in clients.values():
            await client.aclose()


# --- residents and their files ----------------------------------------------------------------

@covers("POST /residents")
async def test_register_only_in_your_community_and_never_over_another_communitys_file(town: Town) -> None:
    body = returnee(town.a1)
    await refused(await town.officer_b.post("/residents", json=body))
    await refused(await town.officer_a.post("/residents", json=returnee(town.b1)))
    rid = ok(await town.officer_a.post("/residents", json=body), 201)["resident"]["resident_id"]
    # The same national ID registered again from B would update A's file: refused, file unchanged.
    await refused(await town.officer_b.post("/residents", json=body | {"compound_id": town.b1, "name": "改名"}))
    file = ok(await town.admin.get(f"/residents/{rid}"))
    assert (file["name"], file["compound_id"], len(file["returns"])) == (body["name"], town.a1, 1)


@covers("GET /residents/{resident_id}")
async def test_one_file_in_scope_and_a_volunteer_gets_the_task_view(town: Town) -> None:
    body = returnee(town.a1, name="甲一居民", address="甲一院 2 单元 301")
    rid = ok(await town.admin.post("/residents", json=body), 201)["resident"]["resident_id"]
    await refused(await town.officer_b.get(f"/residents/{rid}"))
    await refused(await town.volunteer_a2.get(f"/residents/{rid}"))
    full = ok(await town.officer_a.get(f"/residents/{rid}"))
    assert full["national_id_masked"].endswith(body["national_id"][-4:]) and full["mobile_masked"]

    task = ok(await town.volunteer_a1.get(f"/residents/{rid}"))
    assert (task["view"], task["name"], task["address"], task["compound_id"]) == ("task", "甲一居民", body["address"], town.a1)
    assert task["in_quarantine"] is False and task["checklist"]["items"]
    leaks = [k for k in task if any(word in k for word in ("national", "mobile", "household", "returns", "contacts"))]
    assert leaks == [], "a volunteer sees no ID number (not even masked), phone, household, travel or contacts"
    for secret in (body["national_id"], body["national_id"][-4:], body["mobile"], body["mobile"][-4:]):
        assert secret not in (await town.volunteer_a1.get(f"/residents/{rid}")).text


@covers("GET /residents")
async def test_residents_list_shows_only_your_scope(town: Town) -> None:
    in_a1 = await town.resident(town.a1)
    in_a2 = await town.resident(town.a2)
    in_b1 = await town.resident(town.b1)

    async def listed(client: httpx.AsyncClient, **params: str) -> set[str]:
        page = ok(await client.get("/residents", params={"limit": 200, **params}))
        assert page["next_after"] is None
        return {r["resident_id"] for r in page["items"]}

    seen_a = await listed(town.officer_a)
    assert {in_a1, in_a2} <= seen_a and in_b1 not in seen_a
    seen_b = await listed(town.officer_b)
    assert in_b1 in seen_b and not seen_b & {in_a1, in_a2}
    assert in_a2 in await listed(town.officer_a, compound_id=town.a2)
    await refused(await town.officer_b.get("/residents", params={"compound_id": town.a1}))
    seen_v = await listed(town.volunteer_a1)
    assert in_a1 in seen_v and not seen_v & {in_a2, in_b1}
    page = ok(await town.volunteer_a1.get("/residents", params={"limit": 200}))
    assert all(item["view"] == "task" and "national_id_masked" not in item for item in page["items"])
    await refused(await town.volunteer_a1.get("/residents", params={"compound_id": town.a2}))


@covers("POST /residents/{resident_id}/quarantines")
async def test_start_a_quarantine(town: Town) -> None:
    rid = await town.resident(town.a1)
    body = {"kind": "home", "planned_end": "2030-01-14", "reason_code": "returned_from_risk_area"}
    await refused(await town.officer_b.post(f"/residents/{rid}/quarantines", json=body))
    ok(await town.officer_a.post(f"/residents/{rid}/quarantines", json=body), 201)


@covers("POST /residents/{resident_id}/quarantines/{quarantine_id}/health-checks")
async def test_record_health_checks(town: Town) -> None:
    rid, qid = await town.quarantined(town.a1)
    url = f"/residents/{rid}/quarantines/{qid}/health-checks"
    await refused(await town.officer_b.post(url, json={"temperature_c": 36.6}))
    await refused(await town.volunteer_a2.post(url, json={"temperature_c": 36.6}))
    ok(await town.volunteer_a1.post(url, json={"temperature_c": 36.7}), 201)
    ok(await town.officer_a.post(url, json={"temperature_c": 36.8}), 201)
    checks = ok(await town.admin.get(f"/residents/{rid}"))["quarantines"][0]["checks"]
    assert sorted(c["checked_by"] for c in checks) == ["officer-a", "volunteer-a1"]


@covers("POST /residents/{resident_id}/quarantines/{quarantine_id}/end")
async def test_end_a_quarantine(town: Town) -> None:
    rid, qid = await town.quarantined(town.a1)
    body = {"outcome": "released", "reason_code": "period_completed"}
    await refused(await town.officer_b.post(f"/residents/{rid}/quarantines/{qid}/end", json=body))
    ended = ok(await town.officer_a.post(f"/residents/{rid}/quarantines/{qid}/end", json=body))
    assert ended["outcome"] == "released"


@covers("POST /residents/{resident_id}/quarantines/{quarantine_id}/planned-end")
async def test_change_the_planned_end(town: Town) -> None:
    rid, qid = await town.quarantined(town.a1)
    url = f"/residents/{rid}/quarantines/{qid}/planned-end"
    await refused(await town.officer_b.post(url, json={"planned_end": "2030-01-30", "reason_code": "medical_advice"}))
    changed = ok(await town.officer_a.post(url, json={"planned_end": "2030-01-20", "reason_code": "medical_advice"}))
    assert changed["planned_end"] == "2030-01-20" and len(changed["planned_end_changes"]) == 1


@covers("GET /residents/{resident_id}/checklist")
async def test_read_the_checklist(town: Town) -> None:
    rid = await town.resident(town.a1)
    await refused(await town.officer_b.get(f"/residents/{rid}/checklist"))
    await refused(await town.volunteer_a2.get(f"/residents/{rid}/checklist"))
    assert ok(await town.volunteer_a1.get(f"/residents/{rid}/checklist"))["items"]
    assert ok(await town.officer_a.get(f"/residents/{rid}/checklist"))["items"]


@covers("POST /residents/{resident_id}/checklist/items/{item_code}/verify")
async def test_tick_checklist_items(town: Town) -> None:
    rid = await town.resident(town.a1)
    items = ok(await town.admin.get(f"/residents/{rid}/checklist"))["items"]
    first, second = items[0]["code"], items[1]["code"]
    await refused(await town.officer_b.post(f"/residents/{rid}/checklist/items/{first}/verify", json={}))
    await refused(await town.volunteer_a2.post(f"/residents/{rid}/checklist/items/{first}/verify", json={}))
    assert ok(await town.volunteer_a1.post(f"/residents/{rid}/checklist/items/{first}/verify", json={}))["verified_by"] == "volunteer-a1"
    assert ok(await town.officer_a.post(f"/residents/{rid}/checklist/items/{second}/verify", json={}))["verified_by"] == "officer-a"


@covers("POST /residents/{resident_id}/contacts", "POST /residents/{resident_id}/contacts/{contact_id}/quarantine")
async def test_close_contacts_inside_your_community_only(town: Town) -> None:
    case, contact_a2, contact_b1 = (await town.resident(town.a1), await town.resident(town.a2),
                                    await town.resident(town.b1))
    link = {"contact_resident_id": contact_a2, "last_contact_on": "2020-01-24"}
    await refused(await town.officer_b.post(f"/residents/{case}/contacts", json=link))
    await refused(await town.officer_a.post(f"/residents/{case}/contacts",
                                            json=link | {"contact_resident_id": contact_b1}))
    ok(await town.officer_a.post(f"/residents/{case}/contacts", json=link), 201)
    body = {"kind": "home", "planned_end": "2030-01-14", "reason_code": "close_contact"}
    await refused(await town.officer_b.post(f"/residents/{case}/contacts/{contact_a2}/quarantine", json=body))
    started = ok(await town.officer_a.post(f"/residents/{case}/contacts/{contact_a2}/quarantine", json=body), 201)
    assert started["contact_of"] == case
    file = ok(await town.admin.get(f"/residents/{case}"))
    assert [c["contact_resident_id"] for c in file["contacts"]] == [contact_a2]


@covers("GET /residents/{resident_id}/history")
async def test_read_the_whole_history(town: Town) -> None:
    rid = await town.resident(town.a1)
    await refused(await town.officer_b.get(f"/residents/{rid}/history"))
    assert ok(await town.officer_a.get(f"/residents/{rid}/history"))["events"]


@covers("POST /appeals", "GET /appeals/{appeal_id}", "POST /appeals/{appeal_id}/decision")
async def test_appeals_only_for_people_in_scope(system: System, town: Town) -> None:
    rid, qid = await town.quarantined(town.a1)
    appeal = {"resident_id": rid, "quarantine_id": qid, "statement": "本人未去过疫区"}
    await refused(await town.officer_b.post("/appeals", json=appeal))
    appeal_id = ok(await town.officer_a.post("/appeals", json=appeal), 201)["appeal_id"]
    await refused(await town.officer_b.get(f"/appeals/{appeal_id}"))
    ok(await town.officer_a.get(f"/appeals/{appeal_id}"))
    decision = {"outcome": "upheld", "reason_code": "decision_justified"}
    await refused(await town.officer_b.post(f"/appeals/{appeal_id}/decision", json=decision))
    async with system.client("registry", Role.COMMUNITY_OFFICER, f"community:{town.a}", "reviewer-a") as reviewer:
        decided = ok(await reviewer.post(f"/appeals/{appeal_id}/decision", json=decision))
    assert (decided["status"], decided["decided_by"]) == ("upheld", "reviewer-a")


# --- vulnerable residents ---------------------------------------------------------------------

@covers("POST /residents/{resident_id}/care", "POST /residents/{resident_id}/care/helper")
async def test_enrol_and_pair(town: Town) -> None:
    rid = await town.resident(town.a1)
    body = {"category": "elderly_living_alone", "visit_every_days": 2}
    await refused(await town.officer_b.post(f"/residents/{rid}/care", json=body))
    ok(await town.officer_a.post(f"/residents/{rid}/care", json=body), 201)
    await refused(await town.officer_b.post(f"/residents/{rid}/care/helper", json={"helper_id": "stf_b"}))
    assert ok(await town.officer_a.post(f"/residents/{rid}/care/helper", json={"helper_id": "stf_a"}))["helper_id"] == "stf_a"


@covers("GET /residents/{resident_id}/care", "POST /residents/{resident_id}/care/visits")
async def test_care_and_visits(town: Town) -> None:
    rid = await town.enrolled(town.a1)
    await refused(await town.officer_b.get(f"/residents/{rid}/care"))
    await refused(await town.volunteer_a2.get(f"/residents/{rid}/care"))
    ok(await town.volunteer_a1.get(f"/residents/{rid}/care"))
    visit = {"kind": "home_visit", "supplies": ["rice"]}
    await refused(await town.officer_b.post(f"/residents/{rid}/care/visits", json=visit))
    await refused(await town.volunteer_a2.post(f"/residents/{rid}/care/visits", json=visit))
    ok(await town.volunteer_a1.post(f"/residents/{rid}/care/visits", json=visit), 201)
    visits = ok(await town.officer_a.get(f"/residents/{rid}/care"))["visits"]
    assert [v["visited_by"] for v in visits] == ["volunteer-a1"]


@covers("GET /care/residents")
async def test_vulnerable_list_shows_only_your_scope(town: Town) -> None:
    in_a1, in_a2, in_b1 = await town.enrolled(town.a1), await town.enrolled(town.a2), await town.enrolled(town.b1)

    async def listed(client: httpx.AsyncClient) -> set[str]:
        return {r["resident_id"] for r in ok(await client.get("/care/residents", params={"limit": 200}))["items"]}

    assert {in_a1, in_a2} <= await listed(town.officer_a) and in_b1 not in await listed(town.officer_a)
    assert in_b1 in await listed(town.officer_b) and not await listed(town.officer_b) & {in_a1, in_a2}
    assert in_a1 in await listed(town.volunteer_a1) and not await listed(town.volunteer_a1) & {in_a2, in_b1}
    await refused(await town.officer_b.get("/care/residents", params={"compound_id": town.a1}))


# --- duty rosters -----------------------------------------------------------------------------

def duty_person(level: str, unit: str) -> dict:
    return {"name": "值守人员", "kind": "community_staff", "unit_level": level, "unit_id": unit}


@covers("POST /duty/people", "GET /duty/people", "GET /duty/people/{person_id}")
async def test_people_on_duty_of_your_units(town: Town) -> None:
    await refused(await town.officer_b.post("/duty/people", json=duty_person("community", town.a)))
    await refused(await town.officer_b.post("/duty/people", json=duty_person("compound", town.a1)))
    await refused(await town.officer_a.post("/duty/people", json=duty_person("town", "TOWN-CG")))
    of_a = ok(await town.officer_a.post("/duty/people", json=duty_person("community", town.a)), 201)["person_id"]
    of_a1 = ok(await town.officer_a.post("/duty/people", json=duty_person("compound", town.a1)), 201)["person_id"]
    of_b = ok(await town.officer_b.post("/duty/people", json=duty_person("compound", town.b1)), 201)["person_id"]

    async def listed(client: httpx.AsyncClient, **params: str) -> set[str]:
        return {p["person_id"] for p in ok(await client.get("/duty/people", params={"limit": 200, **params}))["items"]}

    assert {of_a, of_a1} <= await listed(town.officer_a) and of_b not in await listed(town.officer_a)
    assert of_b in await listed(town.officer_b) and not await listed(town.officer_b) & {of_a, of_a1}
    assert await listed(town.officer_a, unit_id=town.a1) == {of_a1}
    await refused(await town.officer_b.get("/duty/people", params={"unit_id": town.a}))
    await refused(await town.officer_b.get(f"/duty/people/{of_a1}"))
    assert ok(await town.officer_a.get(f"/duty/people/{of_a1}"))["unit_id"] == town.a1


@covers("POST /duty/people/{person_id}/shifts", "GET /duty/checkpoints/{checkpoint_id}/coverage",
        "POST /duty/coverage-checks")
async def test_shifts_and_coverage_of_your_checkpoints(town: Town) -> None:
    person = ok(await town.admin.post("/duty/people", json=duty_person("compound", town.a1)), 201)["person_id"]
    shift = {"checkpoint_id": f"CP-{town.a1}", "starts_at": "2030-01-01T00:00:00+08:00",
             "ends_at": "2030-01-01T08:00:00+08:00"}
    await refused(await town.officer_b.post(f"/duty/people/{person}/shifts", json=shift))
    await refused(await town.officer_a.post(f"/duty/people/{person}/shifts",
                                            json=shift | {"checkpoint_id": f"CP-{town.b1}"}))
    ok(await town.officer_a.post(f"/duty/people/{person}/shifts", json=shift), 201)
    assert len(ok(await town.admin.get(f"/duty/people/{person}"))["shifts"]) == 1

    await refused(await town.officer_b.get(f"/duty/checkpoints/CP-{town.a1}/coverage", params={"days": 1}))
    assert ok(await town.officer_a.get(f"/duty/checkpoints/CP-{town.a1}/coverage", params={"days": 1}))["slots"]

    await refused(await town.officer_b.post("/duty/coverage-checks", json={"checkpoint_ids": [f"CP-{town.a1}"], "days": 1}))
    one = ok(await town.officer_a.post("/duty/coverage-checks", json={"checkpoint_ids": [f"CP-{town.a1}"], "days": 1}))
    assert one["checkpoints"] == 1
    mine = ok(await town.officer_a.post("/duty/coverage-checks", json={"days": 1}))
    assert mine["checkpoints"] == 2, "without a list: the checkpoints of the officer's community (A1, A2) only"


# --- neighbour groups -------------------------------------------------------------------------

@covers("POST /grid/groups", "PATCH /grid/groups/{group_id}")
async def test_neighbour_groups_of_your_compounds(town: Town) -> None:
    group = f"{town.a1}-G{uuid.uuid4().hex[:4]}"
    body = {"group_id": group, "compound_id": town.a1, "name": "二号楼"}
    await refused(await town.officer_b.post("/grid/groups", json=body))
    ok(await town.officer_a.post("/grid/groups", json=body), 201)
    await refused(await town.officer_b.patch(f"/grid/groups/{group}", json={"name": "乙改的名"}))
    assert ok(await town.officer_a.patch(f"/grid/groups/{group}", json={"name": "二号楼东"}))["name"] == "二号楼东"
    await refused(await town.officer_b.patch(f"/grid/groups/{town.group_a1}", json={"name": "乙改的名"}))


# --- the isolation point ----------------------------------------------------------------------

@covers("POST /isolation-sites/{site_id}/rooms", "GET /isolation-sites", "GET /isolation-sites/{site_id}/occupancy")
async def test_isolation_sites_of_your_community(town: Town) -> None:
    site_a, site_b = f"iso-a-{uuid.uuid4().hex[:6]}", f"iso-b-{uuid.uuid4().hex[:6]}"
    room = {"zone_id": "Z", "room_id": "R1", "capacity": 2}
    await refused(await town.officer_b.post(f"/isolation-sites/{site_a}/rooms", json=room | {"community_id": town.a}))
    ok(await town.officer_a.post(f"/isolation-sites/{site_a}/rooms", json=room), 201)
    ok(await town.officer_b.post(f"/isolation-sites/{site_b}/rooms", json=room), 201)
    await refused(await town.officer_b.post(f"/isolation-sites/{site_a}/rooms", json=room | {"room_id": "R2"}))

    await refused(await town.officer_b.get(f"/isolation-sites/{site_a}/occupancy"))
    occupancy = ok(await town.officer_a.get(f"/isolation-sites/{site_a}/occupancy"))
    assert (occupancy["community_id"], occupancy["capacity"]) == (town.a, 2), "B's room was not added"

    async def listed(client: httpx.AsyncClient) -> set[str]:
        return {s["site_id"] for s in ok(await client.get("/isolation-sites", params={"limit": 50}))["items"]}

    assert site_a in await listed(town.officer_a) and site_b not in await listed(town.officer_a)
    assert site_b in await listed(town.officer_b) and site_a not in await listed(town.officer_b)


@covers("POST /isolation-sites/{site_id}/admissions", "GET /isolation-sites/{site_id}/admissions",
        "POST /isolation-sites/{site_id}/admissions/{admission_id}/discharge")
async def test_admit_and_discharge_your_residents_at_your_site(town: Town) -> None:
    site = f"iso-a-{uuid.uuid4().hex[:6]}"
    ok(await town.officer_a.post(f"/isolation-sites/{site}/rooms", json={"zone_id": "Z", "room_id": "R1", "capacity": 3}), 201)
    resident_a, _ = await town.quarantined(town.a2, kind="centralized")
    resident_b, _ = await town.quarantined(town.b1, kind="centralized")
    await refused(await town.officer_b.post(f"/isolation-sites/{site}/admissions", json={"resident_id": resident_b}))
    await refused(await town.officer_a.post(f"/isolation-sites/{site}/admissions", json={"resident_id": resident_b}))
    admission = ok(await town.officer_a.post(f"/isolation-sites/{site}/admissions", json={"resident_id": resident_a}), 201)

    await refused(await town.officer_b.get(f"/isolation-sites/{site}/admissions"))
    listed = ok(await town.officer_a.get(f"/isolation-sites/{site}/admissions"))["items"]
    assert [a["resident_id"] for a in listed] == [resident_a]

    url = f"/isolation-sites/{site}/admissions/{admission['admission_id']}/discharge"
    await refused(await town.officer_b.post(url, json={}))
    assert ok(await town.officer_a.post(url, json={}))["discharged_at"]


@covers("POST /isolation-sites/{site_id}/rooms/{room_id}/cleanings")
async def test_clean_rooms_of_a_site_in_your_compound(town: Town) -> None:
    site = f"iso-a1-{uuid.uuid4().hex[:6]}"
    made = await town.admin.post(f"/isolation-sites/{site}/rooms",
                                 json={"zone_id": "Z", "room_id": "R1", "capacity": 1, "compound_id": town.a1})
    assert made.status_code == 201, made.text
    url = f"/isolation-sites/{site}/rooms/R1/cleanings"
    await refused(await town.officer_b.post(url))
    await refused(await town.volunteer_a2.post(url))
    assert ok(await town.volunteer_a1.post(url), 201)["last_cleaned_by"] == "volunteer-a1"
    assert ok(await town.officer_a.post(url), 201)["last_cleaned_by"] == "officer-a"
    occupancy = ok(await town.admin.get(f"/isolation-sites/{site}/occupancy"))
    assert (occupancy["community_id"], occupancy["compound_id"]) == (town.a, town.a1)


# --- tips -------------------------------------------------------------------------------------

@covers("POST /tips", "GET /tips", "GET /tips/{tip_id}")
async def test_tips_of_your_scope(town: Town) -> None:
    body = {"kind": "gathering", "channel": "hotline", "description": "院内聚集", "compound_id": town.a1}
    await refused(await town.officer_b.post("/tips", json=body))
    await refused(await town.volunteer_a2.post("/tips", json=body))
    tip_a1 = ok(await town.volunteer_a1.post("/tips", json=body), 201)["tip_id"]
    tip_a2, tip_b1 = await town.tip(town.a2), await town.tip(town.b1)

    async def listed(client: httpx.AsyncClient, **params: str) -> set[str]:
        return {t["tip_id"] for t in ok(await client.get("/tips", params={"limit": 200, **params}))["items"]}

    assert {tip_a1, tip_a2} <= await listed(town.officer_a) and tip_b1 not in await listed(town.officer_a)
    assert tip_b1 in await listed(town.officer_b) and not await listed(town.officer_b) & {tip_a1, tip_a2}
    assert tip_a1 in await listed(town.volunteer_a1) and not await listed(town.volunteer_a1) & {tip_a2, tip_b1}
    await refused(await town.officer_b.get("/tips", params={"compound_id": town.a1}))
    await refused(await town.volunteer_a1.get("/tips", params={"compound_id": town.a2}))

    await refused(await town.officer_b.get(f"/tips/{tip_a1}"))
    await refused(await town.volunteer_a2.get(f"/tips/{tip_a1}"))
    assert ok(await town.volunteer_a1.get(f"/tips/{tip_a1}"))["compound_id"] == town.a1
    assert ok(await town.officer_a.get(f"/tips/{tip_a2}"))["compound_id"] == town.a2


@covers("POST /tips/{tip_id}/screening")
async def test_screen_tips_of_your_scope(town: Town) -> None:
    tip, other = await town.tip(town.a1), await town.tip(town.a1)
    await refused(await town.officer_b.post(f"/tips/{tip}/screening", json={"outcome": "no_issue_found"}))
    await refused(await town.volunteer_a2.post(f"/tips/{tip}/screening", json={"outcome": "no_issue_found"}))
    assert ok(await town.volunteer_a1.post(f"/tips/{tip}/screening", json={"outcome": "breach_confirmed"}))["outcome"] == "breach_confirmed"
    resident_b = await town.resident(town.b1)
    await refused(await town.officer_a.post(f"/tips/{other}/screening", json={
        "outcome": "returnee_registered", "resident_id": resident_b}))
    assert ok(await town.admin.get(f"/tips/{other}"))["status"] == "open"


# --- the whole list -----------------------------------------------------------------------------

def test_every_grid_endpoint_is_covered() -> None:
    grid_operations = {op for op, how in matrix.SCOPE.items() if how == GRID}
    assert set(COVERED) == grid_operations, (
        f"not covered: {sorted(grid_operations - set(COVERED))}; not GRID: {sorted(set(COVERED) - grid_operations)}")


async def test_changing_the_grid_itself_needs_a_town_wide_token(system: System, town: Town) -> None:
    async with system.client("registry", Role.TOWN_ADMIN, f"community:{town.a}", "admin-of-a") as narrow:
        await refused(await narrow.post("/grid/communities", json={"community_id": f"{town.a}X", "name": "新社区"}))
        await refused(await narrow.patch(f"/grid/compounds/{town.a1}", json={"name": "改名"}))
        assert (await narrow.get("/grid/compounds", params={"community_id": town.b})).status_code == 200, \
            "the grid itself is town-wide reading"


@covers("POST /residents/{resident_id}/personal-data-reads", "GET /audit/personal-data-reads")
async def test_unmasked_personal_data_and_its_audit_only_in_scope(system: System, town: Town) -> None:
    # Added by the personal-data work (issue 8); the rest is in test_registry_personal_data.py.
    rid = await town.resident(town.a1)
    body = {"items": ["mobile"], "purpose": "contact_tracing", "note": "scope check of unmasked reads"}
    await refused(await town.officer_b.post(f"/residents/{rid}/personal-data-reads", json=body))
    ok(await town.officer_a.post(f"/residents/{rid}/personal-data-reads", json=body), 201)
    async with system.client("registry", Role.TOWN_ADMIN, f"community:{town.b}", "admin-of-b") as admin_b:
        await refused(await admin_b.get("/audit/personal-data-reads", params={"resident_id": rid}))
    reads = ok(await town.admin.get("/audit/personal-data-reads", params={"resident_id": rid}))["items"]
    assert [(r["read_by"], r["items"]) for r in reads] == [("officer-a", ["mobile"])]
