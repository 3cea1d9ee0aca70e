"""Personal data in the registry, on the real stack (issue 8).

- At rest: national ID numbers, mobiles and addresses are sealed (AES-256-GCM); the raw
  database documents of every registry collection hold none of them.
- Masked by default, in every GET of the api; shown unmasked only to a town administrator or a
  community officer in scope, with a stated purpose, and every such read is an audit event
  (``registry.audit.v1``, without the values) and in ``GET /audit/personal-data-reads``.
- Key rotation: a new key first in the ring seals new writes, old ciphertexts still open,
  ``registry-rotate-keys`` re-seals every record, after which the old key can be dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import json_util

from e2e_support import System, eventually, read_all
from people import mobile, national_id, returnee
from pii_scan import personal_numbers
from towngrid_devstack.services import service_environment, service_processes
from towngrid_kit.auth import Role

pytestmark = pytest.mark.stack

AUDIT_TOPIC = "registry.audit.v1"
NOTE = "Case file CT-0042: calling the household about a positive contact"


@dataclass
class Place:
    a: str  # community A and its compound a1; community B and b1
    a1: str
    b: str
    b1: str


@pytest.fixture(scope="module")
async def place(system: System) -> Place:
    tag = uuid.uuid4().hex[:5].upper()
    a, b = f"PA{tag}", f"PB{tag}"
    csv = ("community_id,community_name,compound_id,compound_name,group_id,group_name\n"
           f"{a},隐私甲,{a}-1,甲一院,,\n{b},隐私乙,{b}-1,乙一院,,\n")
    async with system.client("registry") as admin:
        imported = await admin.post("/grid/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
    return Place(a, f"{a}-1", b, f"{b}-1")


@pytest.fixture
async def clients(system: System, place: Place) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    made = {
        "admin": system.client("registry", subject="admin-1"),
        "officer_a": system.client("registry", Role.COMMUNITY_OFFICER, f"community:{place.a}", "officer-a"),
        "officer_b": system.client("registry", Role.COMMUNITY_OFFICER, f"community:{place.b}", "officer-b"),
        "volunteer_a1": system.client("registry", Role.COMPOUND_VOLUNTEER, f"compound:{place.a1}", "volunteer-a1"),
        "reviewer": system.client("registry", Role.PERMIT_REVIEWER, "town", "reviewer-1", department="health"),
        "county": system.client("registry", Role.COUNTY_SUBSCRIBER, "town", "county-1"),
        "merchant": system.client("registry", Role.MERCHANT, "town", "merchant-1"),
    }
    try:
        yield made
    finally:
        for client in made.values():
            await client.aclose()


def person(compound: str) -> dict[str, Any]:
    return returnee(compound, national_id=national_id(), mobile=mobile(),
                    address=f"隐私路 {uuid.uuid4().int % 1000} 号 {uuid.uuid4().hex[:6]} 室")


async def register(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    made = await client.post("/residents", json=body)
    assert made.status_code == 201, made.text
    return made.json()["resident"]["resident_id"]


async def raw_registry(system: System) -> dict[str, list[dict]]:
    """Every document of every collection of the registry's database, read with pymongo."""
    async with system.database("registry") as db:
        return {name: await db[name].find({}).to_list() for name in await db.list_collection_names()}


async def current_doc(system: System, collection: str, record_id: str) -> dict:
    doc = await system.find_one("registry", collection, record_id)
    assert doc is not None, f"{collection} {record_id} is stored"
    return doc


def leaks_in(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text] + personal_numbers(text)


# --- at rest ----------------------------------------------------------------------------------

async def test_the_raw_database_holds_no_id_number_phone_or_address(system: System, place: Place,
                                                                    clients: dict[str, httpx.AsyncClient]) -> None:
    admin = clients["admin"]
    body = person(place.a1)
    rid = await register(admin, body)
    duty_mobile = mobile()
    duty = await admin.post("/duty/people", json={"name": "值班员", "mobile": duty_mobile, "kind": "volunteer",
                                                  "unit_level": "compound", "unit_id": place.a1})
    assert duty.status_code == 201, duty.text
    reporter_mobile = mobile()
    tip = await admin.post("/tips", json={"kind": "gathering", "channel": "hotline", "compound_id": place.a1,
                                          "description": "院内聚集", "reporter_name": "热心人",
                                          "reporter_mobile": reporter_mobile})
    assert tip.status_code == 201, tip.text
    read = await admin.post(f"/residents/{rid}/personal-data-reads",
                            json={"items": ["national_id", "mobile", "address"], "purpose": "contact_tracing",
                                  "note": NOTE})
    assert read.status_code == 201, read.text

    collections = await raw_registry(system)
    assert {"residents", "residents_commits", "national_id_claims", "duty_people", "tips",
            "personal_data_reads_commits"} <= set(collections)
    ours = [body["national_id"], body["mobile"], body["address"], duty_mobile, reporter_mobile]
    leaks = []
    for name, docs in collections.items():
        for doc in docs:
            text = json_util.dumps(doc, ensure_ascii=False)
            leaks += [f"{name}/{doc['_id']}: {found}" for found in leaks_in(text, ours)]
    assert leaks == [], f"personal data in plaintext in the registry's database: {leaks[:10]}"

    # What is there instead: a sealed box with the id of the key that sealed it.
    stored = (await current_doc(system, "residents", rid))["state"]["person"]
    current_key = system.secrets.registry_data_keys.split(",")[0].split(":")[0]
    assert set(stored) == {"name", "sealed"} and stored["sealed"]["kid"] == current_key
    assert stored["sealed"]["alg"] == "A256GCM" and stored["sealed"]["ct"]
    # ... and the api still opens it.
    assert read.json()["national_id"] == body["national_id"]


# --- masked by default; unmasked with a role, in scope, with a purpose, audited ---------------

async def test_unmasked_only_with_role_scope_and_purpose_and_every_read_is_audited(
        system: System, place: Place, clients: dict[str, httpx.AsyncClient]) -> None:
    body = person(place.a1)
    rid = await register(clients["admin"], body)
    values = [body["national_id"], body["mobile"], body["address"]]

    file = (await clients["officer_a"].get(f"/residents/{rid}")).json()
    assert file["national_id_masked"] == body["national_id"][:4] + "*" * 10 + body["national_id"][-4:]
    assert file["mobile_masked"] == body["mobile"][:3] + "****" + body["mobile"][-4:]
    assert leaks_in(json.dumps(file, ensure_ascii=False), values) == []

    url = f"/residents/{rid}/personal-data-reads"
    good = {"items": ["national_id", "mobile"], "purpose": "contact_tracing", "note": NOTE}
    officer = clients["officer_a"]
    for change, field in [({"purpose": None}, "body.purpose"), ({"purpose": "curiosity"}, "body.purpose"),
                          ({"note": None}, "body.note"), ({"items": []}, "body.items"),
                          ({"items": ["shoe_size"]}, "body.items.0")]:
        sent = {k: v for k, v in (good | change).items() if v is not None}
        refused = await officer.post(url, json=sent)
        assert refused.status_code == 422, (change, refused.text)
        assert field in [e["field"] for e in refused.json()["errors"]], refused.text
        assert leaks_in(refused.text, values) == []
    for who in ("volunteer_a1", "reviewer", "county", "merchant"):
        refused = await clients[who].post(url, json=good)
        assert refused.status_code == 403, (who, refused.text)
    out_of_scope = await clients["officer_b"].post(url, json=good)
    assert out_of_scope.status_code == 403 and "outside your scope" in out_of_scope.text
    assert (await clients["admin"].post("/residents/res_nobody/personal-data-reads", json=good)).status_code == 404
    assert (await clients["admin"].get("/audit/personal-data-reads", params={"resident_id": rid})).json()["items"] == [], \
        "refused reads show nothing and record nothing"

    shown = await officer.post(url, json=good)
    assert shown.status_code == 201, shown.text
    answer = shown.json()
    assert (answer["national_id"], answer["mobile"], answer["address"]) == (body["national_id"], body["mobile"], None)
    assert shown.headers["cache-control"] == "no-store"
    by_admin = await clients["admin"].post(url, json={"items": ["address"], "purpose": "quarantine_support",
                                                      "note": "Delivering the relief parcel to the door"})
    assert by_admin.status_code == 201 and by_admin.json()["address"] == body["address"]

    audit = await clients["admin"].get("/audit/personal-data-reads", params={"resident_id": rid})
    assert audit.status_code == 200, audit.text
    reads = audit.json()["items"]
    assert [(r["read_id"], r["read_by"], r["reader_role"], r["items"], r["purpose"], r["note"]) for r in reads] == [
        (answer["read_id"], "officer-a", "community_officer", ["national_id", "mobile"], "contact_tracing", NOTE),
        (by_admin.json()["read_id"], "admin-1", "town_admin", ["address"], "quarantine_support",
         "Delivering the relief parcel to the door"),
    ]
    assert reads[0]["reader_scope"] == f"community:{place.a}"
    assert (await officer.get("/audit/personal-data-reads", params={"resident_id": rid})).status_code == 403
    missing = await clients["admin"].get("/audit/personal-data-reads")
    assert missing.status_code == 422 and "query.resident_id" in [e["field"] for e in missing.json()["errors"]]

    async def audited() -> list | None:
        found = [r for r in await read_all(system.kafka, AUDIT_TOPIC, timeout=30) if r.key == rid.encode()]
        return found if len(found) >= 2 else None

    records = await eventually(audited, timeout=60)
    events = [r.json for r in records]
    assert [e["event_type"] for e in events] == ["registry.audit.personal_data_read"] * 2
    assert events[0]["data"] | {"read_at": None} == {
        "resident_id": rid, "read_id": answer["read_id"], "read_by": "officer-a", "reader_role": "community_officer",
        "reader_scope": f"community:{place.a}", "items": ["national_id", "mobile"], "purpose": "contact_tracing",
        "read_at": None, "earlier": None}
    for record in records:
        raw = record.value.decode()
        assert leaks_in(raw, values) == [] and NOTE not in raw, "the audit topic carries no values and no note"


# --- no list, view or export gives unmasked values --------------------------------------------

async def test_no_get_endpoint_returns_an_unmasked_id_number_or_phone(system: System, place: Place,
                                                                    clients: dict[str, httpx.AsyncClient]) -> None:
    admin = clients["admin"]
    bodies = [person(place.a1) for _ in range(3)]
    rids = [await register(admin, b) for b in bodies]
    started = await admin.post(f"/residents/{rids[0]}/quarantines", json={
        "kind": "home", "planned_end": "2030-01-14", "reason_code": "returned_from_risk_area"})
    assert started.status_code == 201, started.text
    enrolled = await admin.post(f"/residents/{rids[1]}/care", json={"category": "elderly_living_alone",
                                                                    "visit_every_days": 2})
    assert enrolled.status_code == 201, enrolled.text
    duty_mobile = mobile()
    duty = await admin.post("/duty/people", json={"name": "值班员", "mobile": duty_mobile, "kind": "volunteer",
                                                  "unit_level": "compound", "unit_id": place.a1})
    reporter_mobile = mobile()
    tip = await admin.post("/tips", json={"kind": "gathering", "channel": "hotline", "compound_id": place.a1,
                                          "description": "院内聚集", "reporter_mobile": reporter_mobile})
    assert duty.status_code == 201 and tip.status_code == 201, (duty.text, tip.text)
    secrets = [v for b in bodies for v in (b["national_id"], b["mobile"])] + [duty_mobile, reporter_mobile]

    fill = {"resident_id": rids[0], "tip_id": tip.json()["tip_id"], "person_id": duty.json()["person_id"],
            "compound_id": place.a1, "community_id": place.a, "checkpoint_id": f"CP-{place.a1}",
            "quarantine_id": started.json()["quarantine_id"]}
    document = (await admin.get("/openapi.json")).json()
    gets = [path for path, item in document["paths"].items() if "get" in item]
    answered: dict[str, int] = {}
    leaks: list[str] = []
    for path in gets:
        url = re.sub(r"\{([^}]+)\}", lambda m: fill.get(m.group(1), "none-such"), path)
        for who in ("admin", "officer_a", "volunteer_a1"):
            for params in ({}, {"compound_id": place.a1, "limit": 200}):
                response = await clients[who].get(url, params=params)
                answered[f"{who} {path}"] = max(answered.get(f"{who} {path}", 0), response.status_code)
                leaks += [f"{who} GET {url} {params}: {n}" for n in leaks_in(response.text, secrets)]
    assert leaks == [], leaks[:10]
    # The lists and files that hold these people did answer (so the scan saw them).
    for path in ("/residents", "/residents/{resident_id}", "/residents/{resident_id}/history", "/care/residents",
                 "/tips", "/tips/{tip_id}", "/duty/people", "/duty/people/{person_id}"):
        assert answered[f"admin {path}"] == 200, (path, answered[f"admin {path}"])
    listed = (await admin.get("/residents", params={"compound_id": place.a1, "limit": 200})).json()["items"]
    assert {r["resident_id"] for r in listed} >= set(rids)
    assert all("national_id" not in r and "mobile" not in r for r in listed)


# --- key rotation -----------------------------------------------------------------------------

def rotate_command(system: System, ring: str, *args: str) -> subprocess.CompletedProcess[str]:
    registry = system.services["registry"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env |= service_environment("registry", system.config, system.secrets, registry.port, {"DATA_KEYS": ring})
    return subprocess.run([str(Path(sys.executable).parent / "registry-rotate-keys"), *args],
                          env=env, capture_output=True, text=True, timeout=300)


async def rotate_by_command(system: System, ring: str, *args: str) -> tuple[int, dict]:
    """The real command, as an operator runs it (its own process, settings from the environment)."""
    started = time.monotonic()
    done = await asyncio.to_thread(rotate_command, system, ring, *args)
    assert done.stdout.strip(), done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"registry-rotate-keys {' '.join(args)}: {time.monotonic() - started:.1f} s, {report}")
    return done.returncode, report


async def rotate(system: System, ring: str, *, check_only: bool = False) -> dict:
    """What the command runs, in this process (saves starting a Python process each time)."""
    from registry.config import RegistrySettings
    from registry.entrypoints.rotate_keys import rotate as run

    settings = RegistrySettings(kafka_bootstrap=system.kafka, mongo_url=system.mongo_url, http_port=1,
                                auth_jwt_secret=system.secrets.auth_jwt_secret,
                                id_hash_key=system.secrets.id_hash_key, data_keys=ring)
    started = time.monotonic()
    report = await run(settings, check_only=check_only)
    print(f"rotate{' --check' if check_only else ''}: {time.monotonic() - started:.1f} s, {report}")
    return report


class Registry:
    """Runs the registry's api and worker with a given key ring in place of the session's."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.running = None
        self.original_stopped = False

    def stop(self) -> None:
        original = self.system.services["registry"]
        if self.running is not None:
            self.running.api.stop(), self.running.worker.stop()
            self.running = None
        elif not self.original_stopped:
            original.api.stop(), original.worker.stop()
            self.original_stopped = True

    def use(self, ring: str) -> None:
        self.stop()
        self.running = service_processes("registry", self.system.config, self.system.secrets,
                                         port=self.system.services["registry"].port, extra_env={"DATA_KEYS": ring})
        self.running.api.start(), self.running.worker.start()
        self.running.api.wait_ready(timeout=120), self.running.worker.wait_ready(timeout=120)

    def restore(self) -> None:
        self.stop()
        if self.original_stopped:
            original = self.system.services["registry"]
            original.api.start(), original.worker.start()
            original.api.wait_ready(timeout=120), original.worker.wait_ready(timeout=120)
            self.original_stopped = False


async def kid_of(system: System, rid: str) -> str:
    return (await current_doc(system, "residents", rid))["state"]["person"]["sealed"]["kid"]


async def unmasked(client: httpx.AsyncClient, rid: str) -> tuple[str, str, str]:
    read = await client.post(f"/residents/{rid}/personal-data-reads", json={
        "items": ["national_id", "mobile", "address"], "purpose": "data_correction", "note": "Key rotation check"})
    assert read.status_code == 201, read.text
    body = read.json()
    return body["national_id"], body["mobile"], body["address"]


@pytest.mark.timeout(900)  # restarts the registry three times and re-seals every record of the session twice
async def test_key_rotation_new_key_first_then_rotate_then_drop_the_old_key(system: System, place: Place) -> None:
    ring_a = system.secrets.registry_data_keys
    key_a = ring_a.split(":")[0]
    key_b = f"rot{uuid.uuid4().hex[:6]}"
    from registry.adapters.sealing import new_key

    ring_b = f"{key_b}:{new_key()}"
    first = person(place.a1)
    async with system.client("registry") as admin:
        rid_a = await register(admin, first)
        duty = await admin.post("/duty/people", json={"name": "值班员", "mobile": mobile(), "kind": "volunteer",
                                                      "unit_level": "compound", "unit_id": place.a1})
        tip = await admin.post("/tips", json={"kind": "gathering", "channel": "hotline", "compound_id": place.a1,
                                              "description": "院内聚集", "reporter_mobile": mobile()})
        assert duty.status_code == 201 and tip.status_code == 201
    person_id, tip_id = duty.json()["person_id"], tip.json()["tip_id"]
    assert await kid_of(system, rid_a) == key_a
    registry = Registry(system)
    try:
        # 1. The new key first: new writes are sealed with B, A's ciphertexts still open.
        registry.use(f"{ring_b},{ring_a}")
        second = person(place.a1)
        async with system.client("registry") as admin:
            rid_b = await register(admin, second)
            assert await kid_of(system, rid_b) == key_b
            assert await kid_of(system, rid_a) == key_a
            assert await unmasked(admin, rid_a) == (first["national_id"], first["mobile"], first["address"])
        code, report = await rotate_by_command(system, f"{ring_b},{ring_a}", "--check")
        assert code == 1 and report["behind"]["residents"] >= 1 and report["key_id"] == key_b, report

        # 2. Rotate (the services running): every record is sealed again under B, by a new commit with an event.
        code, report = await rotate_by_command(system, f"{ring_b},{ring_a}")
        assert code == 0 and report["unreadable"] == {}, report
        assert report["resealed"]["residents"] >= 1 and report["resealed"]["duty_people"] >= 1
        assert report["resealed"]["tips"] >= 1
        assert await kid_of(system, rid_a) == key_b
        assert (await current_doc(system, "duty_people", person_id))["state"]["sealed"]["kid"] == key_b
        assert (await current_doc(system, "tips", tip_id))["state"]["sealed"]["kid"] == key_b
        report = await rotate(system, f"{ring_b},{ring_a}")
        assert sum(report["resealed"].values()) == 0, "a second run has nothing left to do"
        report = await rotate(system, f"{ring_b},{ring_a}", check_only=True)
        assert sum(report["behind"].values()) == 0 and report["unreadable"] == {}, report
        async with system.client("registry") as admin:
            history = (await admin.get(f"/residents/{rid_a}/history")).json()["events"]
        assert history[-1]["event_type"] == "registry.resident.personal_data_reencrypted"
        assert history[-1]["data"]["key_id"] == key_b

        # 3. Key A dropped: everything still reads.
        registry.use(ring_b)
        async with system.client("registry") as admin:
            assert await unmasked(admin, rid_a) == (first["national_id"], first["mobile"], first["address"])
            assert await unmasked(admin, rid_b) == (second["national_id"], second["mobile"], second["address"])
            assert (await admin.get(f"/duty/people/{person_id}")).status_code == 200
            assert (await admin.get(f"/tips/{tip_id}")).status_code == 200
            listed = await admin.get("/residents", params={"compound_id": place.a1, "limit": 200})
            assert listed.status_code == 200 and {rid_a, rid_b} <= {r["resident_id"] for r in listed.json()["items"]}
    finally:
        # Back to the session's key (A), services stopped meanwhile, so later tests run as before.
        registry.stop()
        report = await rotate(system, f"{ring_a},{ring_b}")
        registry.restore()
    assert report["unreadable"] == {}, report
    assert sum((await rotate(system, ring_a, check_only=True))["behind"].values()) == 0
    async with system.client("registry") as admin:
        assert await kid_of(system, rid_b) == key_a
        assert await unmasked(admin, rid_b) == (second["national_id"], second["mobile"], second["address"])
