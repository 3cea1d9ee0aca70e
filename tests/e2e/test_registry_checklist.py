"""The returnee checklist on the real stack: 8 items by default, ticked with who and when,
ChecklistCompleted when all are done; an item not done in time raises ChecklistItemOverdue from
the worker's periodic job, one grid level higher each further period."""

from __future__ import annotations

import uuid

import pytest

from e2e_support import System, eventually, events_with, read_all
from people import returnee
from towngrid_kit.auth import Role

RESIDENT_TOPIC = "registry.resident.v1"


async def test_default_checklist_ticked_with_who_and_when_then_completed(system: System) -> None:
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(f"C99-{uuid.uuid4().hex[:8]}"))
        resident = created.json()["resident"]
        rid = resident["resident_id"]
        checklist = resident["checklist"]
        assert len(checklist["items"]) == 8 and not any(i["done"] for i in checklist["items"])
        codes = [i["code"] for i in checklist["items"]]
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as volunteer:
        first = await volunteer.post(f"/residents/{rid}/checklist/items/{codes[0]}/verify", json={})
        assert first.status_code == 200, first.text
        assert first.json()["verified_by"] == "test-admin" and first.json()["verified_at"]
        twice = await volunteer.post(f"/residents/{rid}/checklist/items/{codes[0]}/verify", json={})
        assert twice.status_code == 409
        assert (await volunteer.post(f"/residents/{rid}/checklist/items/nope/verify", json={})).status_code == 404
        bad = await volunteer.post(f"/residents/{rid}/checklist/items/{codes[1]}/verify", json={"verified_at": "soon"})
        assert bad.status_code == 422 and "body.verified_at" in bad.text
        early = await volunteer.post(f"/residents/{rid}/checklist/items/{codes[1]}/verify",
                                     json={"verified_at": "2000-01-01T00:00:00Z"})
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "body.verified_at"
        for code in codes[1:]:
            assert (await volunteer.post(f"/residents/{rid}/checklist/items/{code}/verify", json={})).status_code == 200
        done = (await volunteer.get(f"/residents/{rid}/checklist")).json()
        assert done["completed_at"] is not None and all(i["verified_by"] for i in done["items"])
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        assert (await merchant.post(f"/residents/{rid}/checklist/items/{codes[0]}/verify", json={})).status_code == 403

    async def completed() -> list[dict] | None:
        mine = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid)
        return mine if any(e["event_type"] == "registry.checklist.completed" for e in mine) else None

    events = await eventually(completed)
    assert [e["event_type"] for e in events].count("registry.checklist.item_verified") == 8
    done_event = next(e for e in events if e["event_type"] == "registry.checklist.completed")
    assert done_event["data"]["item_codes"] == codes and done_event["data"]["checklist_id"] == checklist["checklist_id"]


@pytest.fixture
async def fast_checklist(system: System):  # noqa: ANN201
    """The town's checklist made short (one item due after 1 s, escalating every 2 s), then restored."""
    async with system.client("registry") as registry:
        before = (await registry.get("/grid")).json()
        fast = {"items": [{"code": "temperature_taken", "title": "Temperature taken", "due_after": "PT1S"}],
                "escalation_period": "PT2S"}
        changed = await registry.put("/grid/settings", json={"checklist": fast})
        assert changed.status_code == 200, changed.text
        try:
            yield
        finally:
            restore = {"items": [{k: i[k] for k in ("code", "title", "due_after")} for i in before["checklist"]],
                       "escalation_period": before["escalation_period"]}
            assert (await registry.put("/grid/settings", json={"checklist": restore})).status_code == 200


async def test_an_overdue_item_escalates_one_grid_level_per_period(system: System, fast_checklist: None) -> None:
    community = f"E{uuid.uuid4().hex[:6].upper()}"
    compound, group = f"{community}-001", f"{community}-001-G01"
    async with system.client("registry") as registry:
        assert (await registry.post("/grid/communities", json={"community_id": community, "name": "e"})).status_code == 201
        assert (await registry.post("/grid/compounds", json={"compound_id": compound, "community_id": community,
                                                             "name": "e"})).status_code == 201
        assert (await registry.post("/grid/groups", json={"group_id": group, "compound_id": compound,
                                                          "name": "e"})).status_code == 201
        town = (await registry.get("/grid")).json()["town_id"]
        created = await registry.post("/residents", json=returnee(compound, neighbour_group_id=group))
        rid = created.json()["resident"]["resident_id"]
        assert [i["code"] for i in created.json()["resident"]["checklist"]["items"]] == ["temperature_taken"]

        async def overdue() -> list[dict] | None:
            found = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                                event_type="registry.checklist.item_overdue")
            return found if len(found) >= 4 else None

        events = await eventually(overdue, timeout=45)
        steps = [(e["data"]["escalation_level"], e["data"]["escalated_to"], e["data"]["overdue_periods"]) for e in events]
        assert steps == [("neighbour_group", group, 0), ("compound", compound, 1), ("community", community, 2),
                         ("town", town, 3)]
        file = (await registry.get(f"/residents/{rid}/checklist")).json()
        assert file["items"][0]["overdue_escalations"] == 4
        overdue_before = (await registry.get("/figures")).json()["checklist_items_overdue"]
        late = await registry.post(f"/residents/{rid}/checklist/items/temperature_taken/verify", json={})
        assert late.status_code == 200
        assert (await registry.get("/figures")).json()["checklist_items_overdue"] == overdue_before - 1

    async def completed() -> list[dict] | None:
        mine = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid)
        return mine if any(e["event_type"] == "registry.checklist.completed" for e in mine) else None

    mine = await eventually(completed)
    assert [e["event_type"] for e in mine].count("registry.checklist.item_overdue") == 4, "each step raised once"
    verified = next(e for e in mine if e["event_type"] == "registry.checklist.item_verified")
    assert verified["data"]["was_overdue"] is True
