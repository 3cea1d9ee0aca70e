"""Tips on the real stack: public intake without a token (anonymous allowed), checked against
registered returnees, a screening task for the compound, an outcome; the reporter is never shown
to officers nor published; public intake refuses oversized or malformed input and is rate-limited."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from e2e_support import System, eventually, events_with, read_all
from people import mobile, returnee
from towngrid_kit.auth import Role

TIP_TOPIC = "registry.tip.v1"


async def test_a_public_tip_becomes_a_screening_task_with_an_outcome(system: System) -> None:
    compound = f"C99-{uuid.uuid4().hex[:8]}"
    reporter_mobile = mobile()
    async with system.client("registry") as registry:
        known = returnee(compound)
        known_id = (await registry.post("/residents", json=known)).json()["resident"]["resident_id"]
    async with httpx.AsyncClient(base_url=system.services["registry"].url) as public:
        named = await public.post("/tips/public", json={
            "kind": "unregistered_returnee", "compound_id": compound, "description": "3号楼有人从外地回来",
            "subject_national_id": known["national_id"], "reporter_name": "热心群众", "reporter_mobile": reporter_mobile})
        assert named.status_code == 202, named.text
        anonymous = await public.post("/tips/public", json={
            "kind": "quarantine_breach", "compound_id": compound, "description": "隔离户外出"})
        assert anonymous.status_code == 202
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as officer:
        tasks = (await officer.get("/tips", params={"compound_id": compound, "status": "open"})).json()["items"]
        assert {t["tip_id"] for t in tasks} == {named.json()["tip_id"], anonymous.json()["tip_id"]}
        by_id = {t["tip_id"]: t for t in tasks}
        assert by_id[named.json()["tip_id"]]["already_registered_resident_id"] == known_id
        assert by_id[anonymous.json()["tip_id"]]["already_registered_resident_id"] is None
        assert by_id[anonymous.json()["tip_id"]]["channel"] == "checkpoint_qr"
        seen_by_officer = str(tasks) + (await officer.get(f"/tips/{named.json()['tip_id']}")).text
        assert reporter_mobile not in seen_by_officer and "热心群众" not in seen_by_officer
        screened = await officer.post(f"/tips/{anonymous.json()['tip_id']}/screening",
                                      json={"outcome": "breach_confirmed", "note": "已劝返"})
        assert screened.status_code == 200 and screened.json()["status"] == "screened"
        assert screened.json()["screened_by"] == "test-admin"
        again = await officer.post(f"/tips/{anonymous.json()['tip_id']}/screening", json={"outcome": "no_issue_found"})
        assert again.status_code == 409
        bad = await officer.post(f"/tips/{named.json()['tip_id']}/screening", json={"outcome": "arrested"})
        assert bad.status_code == 422 and "body.outcome" in bad.text
        nobody = await officer.post(f"/tips/{named.json()['tip_id']}/screening",
                                    json={"outcome": "returnee_registered", "resident_id": "res_nobody"})
        assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "body.resident_id"
        done = await officer.post(f"/tips/{named.json()['tip_id']}/screening",
                                  json={"outcome": "returnee_registered", "resident_id": known_id})
        assert done.status_code == 200
        assert (await officer.get("/tips", params={"compound_id": compound, "status": "open"})).json()["items"] == []
        page = (await officer.get("/tips", params={"compound_id": compound, "limit": 1})).json()
        assert len(page["items"]) == 1 and page["next_after"]
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        assert (await merchant.get("/tips")).status_code == 403

    async def published() -> list[dict] | None:
        found = [e for e in events_with(await read_all(system.kafka, TIP_TOPIC))
                 if e["data"].get("compound_id") == compound or e["aggregate_id"] in by_id]
        return found if len(found) >= 4 else None

    events = await eventually(published)
    assert sorted(e["event_type"] for e in events) == ["registry.tip.reported"] * 2 + ["registry.tip.screened"] * 2
    assert all(e["data"].get("reporter_resident_id") is None for e in events)
    assert reporter_mobile not in str(events) and "热心群众" not in str(events) and known["national_id"] not in str(events)


async def test_staff_intake_and_bad_public_input(system: System) -> None:
    compound = f"C99-{uuid.uuid4().hex[:8]}"
    async with system.client("registry") as registry:
        taken = await registry.post("/tips", json={"kind": "gathering", "channel": "hotline", "compound_id": compound,
                                                   "description": "广场聚集"})
        assert taken.status_code == 201 and taken.json()["channel"] == "hotline"
        assert (await registry.post("/tips", json={"kind": "gathering", "channel": "pigeon", "compound_id": compound,
                                                   "description": "x"})).status_code == 422
    async with httpx.AsyncClient(base_url=system.services["registry"].url) as public:
        cases = [
            ({"kind": "rumour", "compound_id": compound, "description": "x"}, "body.kind"),
            ({"kind": "other", "compound_id": compound}, "body.description"),
            ({"kind": "other", "compound_id": compound, "description": "x", "reporter_mobile": "123"}, "body.reporter_mobile"),
            ({"kind": "other", "compound_id": compound, "description": "x", "subject_national_id": "4113301990"},
             "body.subject_national_id"),
            ({"kind": "other", "compound_id": compound, "description": "x", "photo": "..."}, "body.photo"),
            ({"kind": "other", "compound_id": compound, "description": "x" * 1001}, "body.description"),
        ]
        for body, field in cases:
            refused = await public.post("/tips/public", json=body)
            assert refused.status_code == 422 and field in [e["field"] for e in refused.json()["errors"]], refused.text
        not_json = await public.post("/tips/public", content=b"{kind: other", headers={"Content-Type": "application/json"})
        assert not_json.status_code == 422
        huge = await public.post("/tips/public", json={"kind": "other", "compound_id": compound, "description": "x" * 9000})
        assert huge.status_code == 413
    async with system.client("registry") as registry:
        listed = (await registry.get("/tips", params={"compound_id": compound})).json()["items"]
        assert [t["tip_id"] for t in listed] == [taken.json()["tip_id"]], "nothing stored from refused input"


async def test_public_intake_is_rate_limited(system: System) -> None:
    compound = f"C99-{uuid.uuid4().hex[:8]}"
    body = {"kind": "other", "compound_id": compound, "description": "x"}
    async with httpx.AsyncClient(base_url=system.services["registry"].url) as public:
        responses = await asyncio.gather(*(public.post("/tips/public", json=body) for _ in range(15)))
    statuses = [r.status_code for r in responses]
    assert 429 in statuses and statuses.count(202) <= 10, statuses
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) >= 1
    async with system.client("registry") as registry:
        listed = (await registry.get("/tips", params={"compound_id": compound, "limit": 200})).json()["items"]
    assert len(listed) == statuses.count(202)
