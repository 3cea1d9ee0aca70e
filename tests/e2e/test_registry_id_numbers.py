"""National ID numbers on the real stack (issue 16, point 4).

The same number typed with full-width digits (a Chinese input method in full-width mode) is the
same resident file, so a quarantine on it cannot be shed by retyping the number; digits NFKC does
not turn into ASCII are refused naming the field. A refusal or a tip's answer names no place and
no resident id outside the caller's scope: two communities, A and B, imported from CSV. Registering
a number again says which fields it changed and keeps the earlier values, sealed, for unmasked reads.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from bson import json_util

from e2e_support import System
from people import mobile, national_id, quarantine_order, returnee
from towngrid_kit.auth import Role

pytestmark = pytest.mark.stack

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def fresh_number() -> str:
    return national_id(random.randrange(10**6, 10**9))


@dataclass
class Town:
    a1: str
    b1: str
    admin: httpx.AsyncClient
    officer_a: httpx.AsyncClient
    volunteer_a1: httpx.AsyncClient


@pytest.fixture(scope="module")
async def town(system: System) -> AsyncIterator[Town]:
    tag = uuid.uuid4().hex[:5].upper()
    a, b = f"IA{tag}", f"IB{tag}"
    a1, b1 = f"{a}-1", f"{b}-1"
    csv = ("community_id,community_name,compound_id,compound_name,group_id,group_name\n"
           f"{a},社区甲,{a1},甲一院,{a1}-G1,一号楼\n{b},社区乙,{b1},乙一院,{b1}-G1,一号楼\n")
    admin = system.client("registry")
    officer_a = system.client("registry", Role.COMMUNITY_OFFICER, f"community:{a}", "officer-a")
    volunteer_a1 = system.client("registry", Role.COMPOUND_VOLUNTEER, f"compound:{a1}", "volunteer-a1")
    try:
        imported = await admin.post("/grid/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
        yield Town(a1, b1, admin, officer_a, volunteer_a1)
    finally:
        for client in (admin, officer_a, volunteer_a1):
            await client.aclose()


async def test_a_full_width_number_is_the_same_file_and_its_quarantine_is_seen(town: Town) -> None:
    number = fresh_number()
    first = await town.admin.post("/residents", json=returnee(town.a1, national_id=number))
    assert first.status_code == 201, first.text
    rid = first.json()["resident"]["resident_id"]
    started = await town.admin.post(f"/residents/{rid}/quarantines", json=quarantine_order())
    assert started.status_code == 201, started.text

    one_digit = number[:7] + number[7].translate(FULL_WIDTH) + number[8:]
    for typed in (one_digit, number.translate(FULL_WIDTH)):
        again = await town.admin.post("/residents", json=returnee(town.a1, national_id=typed))
        assert again.status_code == 200, again.text
        assert again.json()["created"] is False
        assert again.json()["resident"]["resident_id"] == rid, "no second file for the same number"
        assert again.json()["resident"]["in_quarantine"] is True

    tip = await town.admin.post("/tips", json={"kind": "quarantine_breach", "channel": "hotline",
                                               "compound_id": town.a1, "description": "隔离户外出",
                                               "subject_national_id": number.translate(FULL_WIDTH)})
    assert tip.status_code == 201, tip.text
    assert tip.json()["already_registered_resident_id"] == rid


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"])  # Arabic-Indic, Devanagari
async def test_digits_nfkc_cannot_make_ascii_are_refused_naming_the_field(town: Town, digits: str) -> None:
    number = fresh_number()
    foreign = number[:7] + digits[int(number[7])] + number[8:]
    refused = await town.admin.post("/residents", json=returnee(town.a1, national_id=foreign))
    assert refused.status_code == 422, refused.text
    assert "national_id" in refused.text
    tip = await town.admin.post("/tips", json={"kind": "other", "channel": "hotline", "compound_id": town.a1,
                                               "description": "有人回来", "subject_national_id": foreign})
    assert tip.status_code == 422 and "subject_national_id" in tip.text, tip.text


async def test_re_registering_another_communitys_number_names_nothing_of_it(town: Town) -> None:
    number = fresh_number()
    theirs = await town.admin.post("/residents", json=returnee(town.b1, national_id=number))
    assert theirs.status_code == 201, theirs.text
    rid = theirs.json()["resident"]["resident_id"]

    refused = await town.officer_a.post("/residents", json=returnee(town.a1, national_id=number, name="改名"))
    assert refused.status_code == 403, refused.text
    assert "outside your scope" in refused.json()["detail"]
    for secret in (town.b1, town.b1.split("-")[0], rid):
        assert secret not in refused.text, f"the refusal names {secret} of another community"
    file = (await town.admin.get(f"/residents/{rid}")).json()
    assert (file["name"], file["compound_id"]) == ("测试居民", town.b1)


async def test_a_volunteers_tip_learns_no_resident_id_of_another_community(town: Town) -> None:
    number = fresh_number()
    theirs = await town.admin.post("/residents", json=returnee(town.b1, national_id=number))
    assert theirs.status_code == 201, theirs.text
    rid = theirs.json()["resident"]["resident_id"]
    our_number = fresh_number()
    ours = await town.admin.post("/residents", json=returnee(town.a1, national_id=our_number))
    assert ours.status_code == 201, ours.text

    body = {"kind": "unregistered_returnee", "channel": "in_person", "compound_id": town.a1,
            "description": "有人从外地回来", "subject_national_id": number}
    tip = await town.volunteer_a1.post("/tips", json=body)
    assert tip.status_code == 201, tip.text
    assert tip.json()["already_registered_resident_id"] is None, "as if the number were unknown"
    seen = (tip.text + (await town.volunteer_a1.get(f"/tips/{tip.json()['tip_id']}")).text
            + (await town.volunteer_a1.get("/tips", params={"limit": 200})).text)
    assert rid not in seen and town.b1 not in seen

    # Within the caller's scope the match is still shown; the town administrator sees the other one.
    own = await town.volunteer_a1.post("/tips", json=body | {"subject_national_id": our_number})
    assert own.status_code == 201, own.text
    assert own.json()["already_registered_resident_id"] == ours.json()["resident"]["resident_id"]
    assert (await town.admin.get(f"/tips/{tip.json()['tip_id']}")).json()["already_registered_resident_id"] == rid


async def test_re_registering_says_what_changed_and_keeps_the_earlier_values_sealed(town: Town, system: System) -> None:
    number, first_mobile, second_mobile = fresh_number(), mobile(), mobile()
    first = await town.admin.post("/residents", json=returnee(town.a1, national_id=number, name="王五",
                                                              mobile=first_mobile))
    assert first.status_code == 201, first.text
    assert first.json()["changed"] == []
    rid = first.json()["resident"]["resident_id"]

    again = await town.officer_a.post("/residents", json=returnee(town.a1, national_id=number, name="王伍",
                                                                  mobile=second_mobile))
    assert again.status_code == 200, again.text
    assert again.json()["changed"] == ["name", "mobile"]
    assert again.json()["resident"]["name"] == "王伍"
    same = await town.officer_a.post("/residents", json=returnee(town.a1, national_id=number, name="王伍",
                                                                 mobile=second_mobile))
    assert same.status_code == 200 and same.json()["changed"] == [], same.text

    history = await town.admin.get(f"/residents/{rid}/history")
    assert history.status_code == 200, history.text
    returned = [e["data"] for e in history.json()["events"] if e["event_type"] == "registry.resident.returned"]
    assert [r.get("changed_fields") for r in returned] == [None, ["name", "mobile"], []]
    assert first_mobile not in history.text and "王五" not in history.text, "the event names fields, not values"

    # The earlier values: only in an unmasked read that asks for them (audited), sealed at rest.
    read = {"items": ["mobile"], "purpose": "contact_tracing", "note": "核对重新登记的联系方式"}
    plain = await town.officer_a.post(f"/residents/{rid}/personal-data-reads", json=read)
    assert plain.status_code == 201, plain.text
    assert plain.json()["mobile"] == second_mobile and plain.json()["earlier"] is None
    shown = await town.officer_a.post(f"/residents/{rid}/personal-data-reads", json=read | {"earlier": True})
    assert shown.status_code == 201, shown.text
    assert [e["values"] for e in shown.json()["earlier"]] == [{"name": "王五", "mobile": first_mobile}]
    refused = await town.volunteer_a1.post(f"/residents/{rid}/personal-data-reads", json=read | {"earlier": True})
    assert refused.status_code == 403, refused.text
    audit = await town.admin.get("/audit/personal-data-reads", params={"resident_id": rid})
    assert [r["earlier"] for r in audit.json()["items"]] == [False, True], audit.text

    async with system.database("registry") as db:
        commits = await db["residents_commits"].find({"_id": {"$regex": f"^{rid}@"}}).to_list()
        current = await db["residents"].find_one({"_id": rid})
    assert current is not None and first_mobile not in json_util.dumps(commits), "no mobile in plaintext"
    latest = json_util.dumps([current, max(commits, key=lambda c: c["version"])], ensure_ascii=False)
    assert "王五" not in latest, "the earlier name is sealed (the current one stays readable for lists)"
