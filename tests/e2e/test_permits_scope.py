"""Grid and department scope of the permits service on the real stack (issue 8).

An application belongs to the applicant's compound and community, known from the grid the
registry publishes (registry.grid.v1, projected by the permits worker). For every operation
that SCOPE marks GRID or DEPARTMENT: inside the caller's scope it is allowed, outside it is
403, and lists hold only what lies inside.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from access_matrix.marks import DEPARTMENT, GRID
from access_matrix.permits import SCOPE
from e2e_support import System, eventually, produce
from permits_support import (apply, business_reopening, grid_known, health_certificate, issue, resident_id, reviewer,
                             vehicle_pass)
from towngrid_contracts.registry import QuarantineStarted
from towngrid_kit.auth import Role
from towngrid_kit.commits import outbox_entries

C03, C05 = "C03-017", "C05-001"  # compounds of communities C03 and C05

# Every operation SCOPE marks GRID or DEPARTMENT; each is exercised below, in and out of scope.
SCOPED = {
    "POST /applications",
    "GET /applications/{permit_id}",
    "GET /applications",
    "POST /applications/{permit_id}/reviews/{department}",
    "POST /applications/{permit_id}/checklist",
    "GET /quarantine-status/{resident_id}",
    "GET /quarantine-status",
    "POST /permits/{permit_id}/revoke",
    "POST /permits/{permit_id}/suspend",
    "POST /permits/{permit_id}/lift-suspension",
    "POST /appeals",
    "GET /appeals/{appeal_id}",
    "POST /appeals/{appeal_id}/decision",
}


def test_the_scoped_operations_here_are_those_the_matrix_marks() -> None:
    assert SCOPED == {op for op, how in SCOPE.items() if how in (GRID, DEPARTMENT)}


def officer(system: System, scope: str, role: Role = Role.COMMUNITY_OFFICER) -> httpx.AsyncClient:
    return system.client("permits", role, scope=scope, subject=f"{role.value}-{scope}")


async def ids(client: httpx.AsyncClient, **params: Any) -> set[str]:
    found = await client.get("/applications", params={"limit": 200, **params})
    assert found.status_code == 200, found.text
    return {a["permit_id"] for a in found.json()["items"]}


async def test_community_officers_apply_see_and_change_only_their_community(system: System) -> None:
    await grid_known(system)
    holder = resident_id()
    async with officer(system, "community:C03") as c03, officer(system, "community:C05") as c05, \
            officer(system, f"compound:{C03}") as gate, system.client("permits") as admin:
        # POST /applications: only for applicants of the officer's community.
        mine = await apply(c03, health_certificate(holder, compound_id=C03, service_point_id="W1"))
        assert (mine["compound_id"], mine["community_id"]) == (C03, "C03")
        at_point = await apply(c03, vehicle_pass(holder))  # SP-C03, no compound: the service point's community
        assert (at_point["compound_id"], at_point["community_id"]) == (None, "C03")
        refused = [
            await c03.post("/applications", json=health_certificate(holder, compound_id=C05)),
            await c03.post("/applications", json=vehicle_pass(holder, service_point_id="SP-C05")),
            await c03.post("/applications", json=health_certificate(holder)),  # a window, no compound: town staff
        ]
        assert [r.status_code for r in refused] == [403, 403, 403], [r.text for r in refused]
        unknown = await c03.post("/applications", json=health_certificate(holder, compound_id="C99-999"))
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.compound_id"
        theirs = await apply(c05, health_certificate(holder, compound_id=C05, channel="community_service_point",
                                                        service_point_id="SP-C05"))
        assert await ids(admin, holder_id=holder) == {mine["permit_id"], at_point["permit_id"], theirs["permit_id"]}, \
            "nothing stored from the refused applications"

        # GET /applications/{id} and GET /applications (filtered).
        assert (await c03.get(f"/applications/{mine['permit_id']}")).status_code == 200
        assert (await c05.get(f"/applications/{mine['permit_id']}")).status_code == 403
        assert (await c03.get(f"/applications/{theirs['permit_id']}")).status_code == 403
        assert await ids(c03, holder_id=holder) == {mine["permit_id"], at_point["permit_id"]}
        assert await ids(c05, holder_id=holder) == {theirs["permit_id"]}
        assert await ids(gate, holder_id=holder) == {mine["permit_id"]}, "a compound scope: that compound only"
        assert (await gate.get(f"/applications/{at_point['permit_id']}")).status_code == 403
        every = await c03.get("/applications", params={"limit": 200, "status": "under_review"})
        assert {a["community_id"] for a in every.json()["items"]} == {"C03"}

        # POST /applications/{id}/checklist.
        shop = await apply(admin, business_reopening(complete=False, compound_id=C03))
        ticked = await c03.post(f"/applications/{shop['permit_id']}/checklist", json={"disinfection": True})
        assert ticked.status_code == 200, ticked.text
        other = await c05.post(f"/applications/{shop['permit_id']}/checklist", json={"buyer_ledger": True})
        assert other.status_code == 403
        assert (await admin.get(f"/applications/{shop['permit_id']}")).json()["checklist_missing"] == [
            "staff_health_certificates", "temperature_checks", "buyer_ledger"], "the refused tick changed nothing"


async def test_reviewers_see_and_decide_only_their_departments_applications(system: System) -> None:
    await grid_known(system)
    holder = resident_id()
    async with system.client("permits") as admin:
        certificate = await apply(admin, health_certificate(holder, compound_id=C03))  # health only
        vpass = await apply(admin, vehicle_pass(holder, compound_id=C05))  # traffic, epidemic_control, community
    async with reviewer(system, "traffic") as traffic, reviewer(system, "health") as health:
        # GET /applications/{id}, GET /applications: the department's only.
        assert (await traffic.get(f"/applications/{vpass['permit_id']}")).status_code == 200
        assert (await traffic.get(f"/applications/{certificate['permit_id']}")).status_code == 403
        assert await ids(traffic, holder_id=holder) == {vpass["permit_id"]}
        assert await ids(health, holder_id=holder) == {certificate["permit_id"]}
        assert await ids(traffic, holder_id=holder, awaiting_my_review="true") == {vpass["permit_id"]}
        # POST /applications/{id}/reviews/{department}: only the reviewer's own department's step.
        assert (await traffic.post(f"/applications/{certificate['permit_id']}/reviews/health",
                                   json={"decision": "approve"})).status_code == 403
        assert (await traffic.post(f"/applications/{certificate['permit_id']}/reviews/traffic",
                                   json={"decision": "approve"})).status_code == 403, "traffic does not review it"
        decided = await traffic.post(f"/applications/{vpass['permit_id']}/reviews/traffic", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
    # A reviewer whose token is limited to a community: that community's applications only.
    async with system.client("permits", Role.PERMIT_REVIEWER, scope="community:C03", subject="rev-c03",
                             department="epidemic_control") as c03_reviewer:
        assert (await c03_reviewer.get(f"/applications/{vpass['permit_id']}")).status_code == 403
        refused = await c03_reviewer.post(f"/applications/{vpass['permit_id']}/reviews/epidemic_control",
                                          json={"decision": "approve"})
        assert refused.status_code == 403
        assert await ids(c03_reviewer, holder_id=holder) == set()
    async with system.client("permits") as admin:
        steps = {s["department"]: s["status"] for s in
                 (await admin.get(f"/applications/{vpass['permit_id']}")).json()["steps"]}
    assert steps == {"traffic": "approved", "epidemic_control": "pending", "community": "pending"}


async def test_revocation_needs_the_permit_in_the_admins_scope(system: System) -> None:
    applied = await issue(system, health_certificate(compound_id=C03))
    async with officer(system, "community:C05", Role.TOWN_ADMIN) as elsewhere, \
            officer(system, "community:C03", Role.TOWN_ADMIN) as here:
        refused = await elsewhere.post(f"/permits/{applied['permit_id']}/revoke", json={"reason": "fraud"})
        assert refused.status_code == 403
        assert (await here.get(f"/applications/{applied['permit_id']}")).json()["status"] == "issued"
        revoked = await here.post(f"/permits/{applied['permit_id']}/revoke", json={"reason": "fraud"})
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked", revoked.text


async def test_suspension_lifting_and_appeals_need_the_permit_in_scope(system: System) -> None:
    permit = (await issue(system, health_certificate(compound_id=C03)))["permit_id"]
    why = {"reason_code": "under_investigation"}
    async with officer(system, "community:C05", Role.TOWN_ADMIN) as admin_elsewhere, \
            system.client("permits", Role.TOWN_ADMIN, scope="community:C03", subject="admin-a") as admin_a, \
            system.client("permits", Role.TOWN_ADMIN, scope="community:C03", subject="admin-b") as admin_b, \
            officer(system, "community:C03") as c03, officer(system, "community:C05") as c05:
        assert (await admin_elsewhere.post(f"/permits/{permit}/suspend", json=why)).status_code == 403
        assert (await admin_a.post(f"/permits/{permit}/suspend", json=why)).status_code == 200
        lift = {"reason_code": "investigation_closed"}
        assert (await admin_elsewhere.post(f"/permits/{permit}/lift-suspension", json=lift)).status_code == 403
        lifted = await admin_a.post(f"/permits/{permit}/lift-suspension", json=lift)
        assert lifted.status_code == 200 and lifted.json()["status"] == "issued", lifted.text
        assert (await admin_a.post(f"/permits/{permit}/suspend", json=why)).status_code == 200

        assert (await c05.post("/appeals", json={"permit_id": permit})).status_code == 403
        filed = await c03.post("/appeals", json={"permit_id": permit})
        assert filed.status_code == 201, filed.text
        appeal = filed.json()["appeal_id"]
        assert (await c05.get(f"/appeals/{appeal}")).status_code == 403
        assert (await c03.get(f"/appeals/{appeal}")).status_code == 200
        decision = {"outcome": "upheld", "reason_code": "decision_justified"}
        assert (await admin_elsewhere.post(f"/appeals/{appeal}/decision", json=decision)).status_code == 403
        decided = await admin_b.post(f"/appeals/{appeal}/decision", json=decision)
        assert decided.status_code == 200 and decided.json()["status"] == "upheld", decided.text


async def quarantine_started(system: System, resident: str, compound: str) -> None:
    """The registry's event, as the registry publishes it (the permits worker projects the roster)."""
    event = QuarantineStarted(resident_id=resident, quarantine_id=f"qua_{uuid.uuid4().hex}", household_id="hh_1",
                              compound_id=compound, kind="home", started_at=datetime.now(UTC),
                              planned_end=date(2030, 2, 8))
    envelope = outbox_entries(resident, 0, [event])[0]["envelope"]
    await produce(system.kafka, "registry.resident.v1", resident.encode(), json.dumps(envelope).encode())


async def test_quarantine_status_only_within_scope(system: System) -> None:
    await grid_known(system)
    in_c03, in_c05 = resident_id(), resident_id()
    await quarantine_started(system, in_c03, C03)
    await quarantine_started(system, in_c05, C05)
    async with system.client("permits") as admin:
        async def both_known() -> bool:
            return [(await admin.get(f"/quarantine-status/{r}")).status_code for r in (in_c03, in_c05)] == [200, 200]

        await eventually(both_known, timeout=30)
    async with officer(system, "community:C03") as c03, officer(system, f"compound:{C05}") as gate:
        assert (await c03.get(f"/quarantine-status/{in_c03}")).json()["in_quarantine"] is True
        assert (await c03.get(f"/quarantine-status/{in_c05}")).status_code == 403
        assert (await gate.get(f"/quarantine-status/{in_c05}")).status_code == 200
        assert (await gate.get(f"/quarantine-status/{in_c03}")).status_code == 403
        for client, inside, outside in ((c03, in_c03, in_c05), (gate, in_c05, in_c03)):
            seen, after = set(), None
            while True:
                page = (await client.get("/quarantine-status", params={"limit": 500} | (
                    {"after": after} if after else {}))).json()
                seen |= {s["resident_id"] for s in page["items"]}
                if (after := page["next_after"]) is None:
                    break
            assert inside in seen and outside not in seen
