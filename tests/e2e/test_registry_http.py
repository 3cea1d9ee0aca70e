"""The registry's HTTP api on the real stack: bad input is refused with the field named and
nothing stored; tokens are required; concurrent changes to one file are all kept."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import jwt
import pytest

from e2e_support import System, read_all
from people import national_id, returnee
from towngrid_kit.auth import Role


def fresh_compound() -> str:
    return f"C99-{uuid.uuid4().hex[:8]}"


BAD_BODIES = [
    ("bad national ID checksum", {"national_id": national_id()[:-1] + "0"}, "body.national_id"),
    ("national ID too short", {"national_id": "41133019900101"}, "body.national_id"),
    ("impossible birth date", {"national_id": "411330199002300010"}, "body.national_id"),
    ("bad mobile", {"mobile": "12345678901"}, "body.mobile"),
    ("mobile with letters", {"mobile": "1380013800a"}, "body.mobile"),
    ("arrived_on not a date", {"arrived_on": "yesterday"}, "body.arrived_on"),
    ("name of the wrong type", {"name": ["a", "b"]}, "body.name"),
    ("unknown field", {"shoe_size": 42}, "body.shoe_size"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
async def test_bad_registration_is_refused_and_nothing_stored(system: System, case: str, change: dict, field: str) -> None:
    compound = fresh_compound()
    async with system.client("registry") as registry:
        response = await registry.post("/residents", json=returnee(compound, **change))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert field in [e["field"] for e in problem["errors"]], problem
        assert field in problem["detail"]
        listed = await registry.get("/residents", params={"compound_id": compound})
        assert listed.json()["items"] == []


async def test_missing_fields_are_all_named(system: System) -> None:
    async with system.client("registry") as registry:
        response = await registry.post("/residents", json={"name": "x"})
    assert response.status_code == 422
    named = {e["field"] for e in response.json()["errors"]}
    assert {"body.national_id", "body.mobile", "body.compound_id", "body.arrived_on"} <= named


async def test_bad_quarantine_and_check_input(system: System) -> None:
    async with system.client("registry") as registry:
        rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
        bad_kind = await registry.post(f"/residents/{rid}/quarantines", json={"kind": "hotel", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert bad_kind.status_code == 422 and "body.kind" in bad_kind.text
        past_end = await registry.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2000-01-01", "reason_code": "close_contact"})
        assert past_end.status_code == 422 and "planned_end" in past_end.text
        unknown = await registry.post("/residents/res_nobody/quarantines", json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert unknown.status_code == 404
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})).json()["quarantine_id"]
        twice = await registry.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert twice.status_code == 409, "at most one open quarantine"
        hot = await registry.post(f"/residents/{rid}/quarantines/{qid}/health-checks", json={"temperature_c": "hot"})
        assert hot.status_code == 422 and "body.temperature_c" in hot.text
        file = (await registry.get(f"/residents/{rid}")).json()
        assert len(file["quarantines"]) == 1 and file["quarantines"][0]["checks"] == []


async def test_tokens_are_required_and_roles_checked(system: System) -> None:
    url = system.services["registry"].url
    body = returnee(fresh_compound())
    async with httpx.AsyncClient(base_url=url) as anonymous:
        assert (await anonymous.post("/residents", json=body)).status_code == 401
        assert (await anonymous.get("/residents")).status_code == 401
        forged = jwt.encode({"sub": "x", "role": "town_admin", "scope": "town", "iss": "towngrid-local",
                             "aud": "towngrid", "exp": int(time.time()) + 60}, "another-key-" * 4, algorithm="HS256")
        assert (await anonymous.get("/residents", headers={"Authorization": f"Bearer {forged}"})).status_code == 401
        expired = jwt.encode({"sub": "x", "role": "town_admin", "scope": "town", "iss": "towngrid-local",
                              "aud": "towngrid", "exp": int(time.time()) - 60}, system.secrets.auth_jwt_secret,
                             algorithm="HS256")
        assert (await anonymous.get("/residents", headers={"Authorization": f"Bearer {expired}"})).status_code == 401
        assert (await anonymous.get("/healthz")).status_code == 200
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        refused = await merchant.post("/residents", json=body)
        assert refused.status_code == 403 and "merchant" in refused.json()["detail"]
    async with system.client("registry") as admin:
        assert (await admin.get("/residents", params={"compound_id": body["compound_id"]})).json()["items"] == []


async def test_same_national_id_is_the_same_resident(system: System) -> None:
    body = returnee(fresh_compound())
    async with system.client("registry") as registry:
        first, second = await asyncio.gather(registry.post("/residents", json=body),
                                             registry.post("/residents", json=body | {"origin_city": "孝感市"}))
        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, 201], (first.text, second.text)
        ids = {first.json()["resident"]["resident_id"], second.json()["resident"]["resident_id"]}
        assert len(ids) == 1
        file = (await registry.get(f"/residents/{ids.pop()}")).json()
        assert len(file["returns"]) == 2
        assert file["national_id_masked"] == body["national_id"][:4] + "*" * 10 + body["national_id"][-4:]
        assert body["national_id"] not in str(file) and body["mobile"] not in str(file)


async def test_idempotency_key_gives_one_effect(system: System) -> None:
    body = returnee(fresh_compound())
    key = {"Idempotency-Key": uuid.uuid4().hex}
    async with system.client("registry") as registry:
        first = await registry.post("/residents", json=body, headers=key)
        again = await registry.post("/residents", json=body, headers=key)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        other = await registry.post("/residents", json=body | {"origin_city": "孝感市"}, headers=key)
        assert other.status_code == 422 and "Idempotency-Key" in other.text
        rid = first.json()["resident"]["resident_id"]
        assert len((await registry.get(f"/residents/{rid}")).json()["returns"]) == 1


async def test_concurrent_checks_on_one_file_are_all_kept(system: System) -> None:
    async with system.client("registry") as registry:
        rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})).json()["quarantine_id"]
        responses = await asyncio.gather(*(
            registry.post(f"/residents/{rid}/quarantines/{qid}/health-checks", json={"temperature_c": 36.0 + i / 10})
            for i in range(10)
        ))
        assert [r.status_code for r in responses] == [201] * 10
        file = (await registry.get(f"/residents/{rid}")).json()
    assert len(file["quarantines"][0]["checks"]) == 10
    assert file["version"] == 12

    async def all_published() -> list[dict] | None:
        mine = [r.json for r in await read_all(system.kafka, "registry.resident.v1") if r.key == rid.encode()]
        return mine if len({e["event_id"] for e in mine}) >= 12 else None

    from e2e_support import eventually

    events = await eventually(all_published)
    versions = sorted({e["aggregate_version"] for e in events})
    assert versions == list(range(1, 13))
    assert len({(e["aggregate_version"], e["event_id"]) for e in events}) == 12, "one event per version"


async def test_paging_walks_every_resident_once(system: System) -> None:
    compound = fresh_compound()
    async with system.client("registry") as registry:
        created = [(await registry.post("/residents", json=returnee(compound))).json()["resident"]["resident_id"]
                   for _ in range(5)]
        seen, after = [], None
        while True:
            params = {"compound_id": compound, "limit": 2} | ({"after": after} if after else {})
            page = (await registry.get("/residents", params=params)).json()
            seen += [item["resident_id"] for item in page["items"]]
            after = page["next_after"]
            if after is None:
                break
        assert sorted(seen) == sorted(created)
        assert (await registry.get("/residents", params={"limit": 0})).status_code == 422
