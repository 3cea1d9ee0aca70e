"""Bulk reads of personal data (issue 16, point 5), on the real stack.

- One person's unmasked reads are limited per hour (``REGISTRY_UNMASKED_READS_PER_HOUR``, set to
  3 on an extra api here): the 4th is refused with 429 problem+json and ``Retry-After``, nothing
  unmasked in it, and one alert for that reader and hour — not one per refused read.
- The audit is found by reader and time (``GET /personal-data/reads``), paged.
- A page of a compound volunteer's task list (names, addresses, quarantine status) leaves one
  audit record naming the reader and the residents shown (``GET /personal-data/task-lists``).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from e2e_support import System
from people import new_resident, returnee
from towngrid_kit.auth import Role

pytestmark = pytest.mark.stack

QUOTA = 3
NOTE = "Case file CT-0077: calling the household about a positive contact"
READ = {"items": ["national_id", "mobile", "address"], "purpose": "contact_tracing", "note": NOTE}


@pytest.fixture(scope="module")
async def limited(system: System) -> AsyncIterator[str]:
    """An extra registry api (same database) allowing QUOTA unmasked reads per reader and hour."""
    with system.another_api("registry", 210, {"UNMASKED_READS_PER_HOUR": str(QUOTA)}) as url:
        yield url


async def test_reads_over_the_quota_are_refused_and_alerted_once(system: System, limited: str) -> None:
    rid = await new_resident(system)
    reader = f"bulk-reader-{uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {system.token(subject=reader)}"}
    started = datetime.now(UTC) - timedelta(seconds=1)
    async with httpx.AsyncClient(base_url=limited, headers=auth, timeout=30) as client:
        for _ in range(QUOTA):
            read = await client.post(f"/residents/{rid}/personal-data-reads", json=READ)
            assert read.status_code == 201, read.text
        person = read.json()
        for _ in range(2):
            refused = await client.post(f"/residents/{rid}/personal-data-reads", json=READ)
            assert refused.status_code == 429, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert 1 <= int(refused.headers["Retry-After"]) <= 3600
            for item in ("national_id", "mobile", "address"):
                assert person[item] not in refused.text
    async with system.client("registry", subject="auditor-1") as admin:
        log = (await admin.get("/audit/personal-data-reads", params={"resident_id": rid})).json()["items"]
        assert [r["read_by"] for r in log] == [reader] * QUOTA  # the refused reads were not recorded
        alerts = []
        after = None
        while True:
            page = (await admin.get("/personal-data/alerts", params={"limit": 200, **({"after": after} if after else {})})).json()
            alerts += [a for a in page["items"] if a["reader"] == reader]
            if not (after := page["next_after"]):
                break
        assert len(alerts) == 1, alerts
        assert alerts[0]["limit"] == QUOTA and alerts[0]["reader_role"] == "town_admin"
        assert alerts[0]["window_start"] <= alerts[0]["raised_at"] < alerts[0]["window_end"]


async def test_the_audit_is_found_by_reader_and_time(system: System) -> None:
    rids = [await new_resident(system), await new_resident(system)]
    reader = f"audited-{uuid.uuid4().hex[:8]}"
    before = datetime.now(UTC) - timedelta(seconds=1)
    async with system.client("registry", subject=reader) as client:
        made = []
        for rid in [*rids, rids[0]]:
            read = await client.post(f"/residents/{rid}/personal-data-reads", json=READ)
            assert read.status_code == 201, read.text
            made.append(read.json()["read_id"])
    after_all = datetime.now(UTC) + timedelta(seconds=1)
    async with system.client("registry", subject="auditor-1") as admin:
        window = {"reader": reader, "since": before.isoformat(), "until": after_all.isoformat(), "limit": 2}
        first = (await admin.get("/personal-data/reads", params=window)).json()
        assert [r["read_id"] for r in first["items"]] == made[:2] and first["next_after"] == made[1]
        second = (await admin.get("/personal-data/reads", params={**window, "after": first["next_after"]})).json()
        assert [r["read_id"] for r in second["items"]] == made[2:] and second["next_after"] is None
        assert [r["resident_id"] for r in first["items"] + second["items"]] == [*rids, rids[0]]
        assert {r["read_by"] for r in first["items"]} == {reader} and first["items"][0]["note"] == NOTE
        later = (await admin.get("/personal-data/reads", params={**window, "since": after_all.isoformat()})).json()
        assert later["items"] == []
        other = (await admin.get("/personal-data/reads", params={**window, "reader": "nobody-at-all"})).json()
        assert other["items"] == []
    async with system.client("registry", subject=reader, scope="community:C01") as scoped:
        assert (await scoped.get("/personal-data/reads", params={"reader": reader})).status_code == 403


async def test_a_volunteers_task_list_page_leaves_an_audit_record(system: System) -> None:
    tag = uuid.uuid4().hex[:5].upper()
    community, compound = f"TL{tag}", f"TL{tag}-1"
    csv = (f"community_id,community_name,compound_id,compound_name,group_id,group_name\n"
           f"{community},任务甲,{compound},任务甲一院,,\n")
    async with system.client("registry") as admin:
        imported = await admin.post("/grid/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
        for _ in range(2):
            made = await admin.post("/residents", json=returnee(compound))
            assert made.status_code == 201, made.text
    volunteer = f"volunteer-{tag.lower()}"
    before = datetime.now(UTC) - timedelta(seconds=1)
    shown = []
    async with system.client("registry", Role.COMPOUND_VOLUNTEER, f"compound:{compound}", volunteer) as client:
        after = None
        while True:
            page = await client.get("/residents", params={"limit": 1, **({"after": after} if after else {})})
            assert page.status_code == 200, page.text
            assert all(r["view"] == "task" for r in page.json()["items"])
            shown.append([r["resident_id"] for r in page.json()["items"]])
            if not (after := page.json()["next_after"]):
                break
    assert [len(ids) for ids in shown] == [1, 1]
    async with system.client("registry", subject="auditor-1") as admin:
        found = (await admin.get("/personal-data/task-lists",
                                 params={"reader": volunteer, "since": before.isoformat()})).json()
        assert [r["resident_ids"] for r in found["items"]] == shown
        assert {(r["reader_role"], r["reader_scope"], r["shown"]) for r in found["items"]} == {
            ("compound_volunteer", f"compound:{compound}", 1)}
        assert "测试居民" not in str(found)  # ids, never the names or addresses shown
