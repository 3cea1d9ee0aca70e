"""Duty rosters on the real stack: people on duty with their grid unit, shifts per checkpoint
(never overlapping for one person), 24-hour coverage in 8-hour slots, and a
CheckpointCoverageGapDetected for every uncovered slot (then CheckpointCoverageRestored)."""

from __future__ import annotations

import asyncio
import time
import uuid

from e2e_support import System, eventually, events_with, read_all
from towngrid_kit.auth import Role

CHECKPOINT_TOPIC = "registry.checkpoint.v1"


async def a_compound(registry) -> tuple[str, str, str]:  # noqa: ANN001
    community = f"D{uuid.uuid4().hex[:6].upper()}"
    compound = f"{community}-001"
    assert (await registry.post("/grid/communities", json={"community_id": community, "name": "d"})).status_code == 201
    made = await registry.post("/grid/compounds", json={"compound_id": compound, "community_id": community, "name": "d"})
    return community, compound, made.json()["checkpoint_id"]


async def clear_of_a_slot_boundary(margin_s: float = 120.0) -> None:
    """Coverage is counted in 8-hour slots from "now": wait if a slot boundary is about to pass."""
    to_boundary = 8 * 3600 - time.time() % (8 * 3600)
    if to_boundary < margin_s:
        await asyncio.sleep(to_boundary + 1)


async def test_coverage_gaps_are_raised_for_uncovered_slots_and_restored(system: System) -> None:
    await clear_of_a_slot_boundary()
    async with system.client("registry") as registry:
        community, compound, checkpoint = await a_compound(registry)
        people = []
        for kind in ("party_member", "county_staff"):
            made = await registry.post("/duty/people", json={"name": "值守人员", "mobile": "13912345678", "kind": kind,
                                                             "unit_level": "community", "unit_id": community})
            assert made.status_code == 201, made.text
            assert made.json()["mobile_masked"] == "139****5678"
            people.append(made.json()["person_id"])
        slots = (await registry.get(f"/duty/checkpoints/{checkpoint}/coverage", params={"days": 1})).json()["slots"]
        assert len(slots) == 4 and all(s["gap"] for s in slots)
        first = await registry.post(f"/duty/people/{people[0]}/shifts", json={
            "checkpoint_id": checkpoint, "starts_at": slots[0]["slot_start"], "ends_at": slots[0]["slot_end"]})
        assert first.status_code == 201, first.text
        overlap = await registry.post(f"/duty/people/{people[0]}/shifts", json={
            "checkpoint_id": checkpoint, "starts_at": slots[0]["slot_start"], "ends_at": slots[1]["slot_end"]})
        assert overlap.status_code == 409 and "overlaps" in overlap.text

        gaps_before = (await registry.get("/figures")).json()["checkpoints_with_coverage_gaps"]
        report = (await registry.post("/duty/coverage-checks", json={"checkpoint_ids": [checkpoint], "days": 1})).json()
        assert (await registry.get("/figures")).json()["checkpoints_with_coverage_gaps"] == gaps_before + 1
        assert (report["gaps_detected"], report["gaps_restored"], report["checkpoints_with_gaps"]) == (3, 0, 1)
        again = (await registry.post("/duty/coverage-checks", json={"checkpoint_ids": [checkpoint], "days": 1})).json()
        assert (again["gaps_detected"], again["gaps_restored"]) == (0, 0), "each gap raised once"

        second = await registry.post(f"/duty/people/{people[1]}/shifts", json={
            "checkpoint_id": checkpoint, "starts_at": slots[1]["slot_start"], "ends_at": slots[1]["slot_end"]})
        assert second.status_code == 201
        restored = (await registry.post("/duty/coverage-checks", json={"checkpoint_ids": [checkpoint], "days": 1})).json()
        assert (restored["gaps_detected"], restored["gaps_restored"]) == (0, 1)
        view = (await registry.get(f"/duty/checkpoints/{checkpoint}/coverage", params={"days": 1})).json()
        assert [s["rostered_staff"] for s in view["slots"]] == [1, 1, 0, 0] and view["covered_24h"] is False
        listed = (await registry.get("/duty/people", params={"unit_id": community, "limit": 1})).json()
        assert len(listed["items"]) == 1 and listed["next_after"]

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, CHECKPOINT_TOPIC), aggregate_id=checkpoint)
        return found if len(found) >= 4 else None

    events = await eventually(published)
    assert [e["event_type"] for e in events] == ["registry.checkpoint.coverage_gap_detected"] * 3 + [
        "registry.checkpoint.coverage_restored"]
    assert {e["data"]["compound_id"] for e in events} == {compound}
    assert events[0]["data"]["community_id"] == community and events[0]["data"]["rostered_staff"] == 0
    assert "值守人员" not in str(events) and "13912345678" not in str(events)


async def test_bad_roster_input_is_refused(system: System) -> None:
    async with system.client("registry") as registry:
        community, _, checkpoint = await a_compound(registry)
        cases = [({"name": "x", "kind": "boss", "unit_level": "community", "unit_id": community}, "body.kind"),
                 ({"name": "x", "kind": "volunteer", "unit_level": "community", "unit_id": "NOPE"}, "body.unit_id"),
                 ({"name": "x", "mobile": "555", "kind": "volunteer", "unit_level": "town", "unit_id": "x"}, "body.mobile"),
                 ({"kind": "volunteer", "unit_level": "community", "unit_id": community}, "body.name")]
        for body, field in cases:
            refused = await registry.post("/duty/people", json=body)
            assert refused.status_code == 422 and field in [e["field"] for e in refused.json()["errors"]], refused.text
        assert (await registry.get("/duty/people", params={"unit_id": community})).json()["items"] == []
        pid = (await registry.post("/duty/people", json={"name": "x", "kind": "volunteer", "unit_level": "community",
                                                         "unit_id": community})).json()["person_id"]
        for body, field in (({"checkpoint_id": "CP-NOPE", "starts_at": "2030-01-01T00:00:00Z",
                              "ends_at": "2030-01-01T08:00:00Z"}, "body.checkpoint_id"),
                            ({"checkpoint_id": checkpoint, "starts_at": "2030-01-01T08:00:00Z",
                              "ends_at": "2030-01-01T00:00:00Z"}, "body.ends_at"),
                            ({"checkpoint_id": checkpoint, "starts_at": "2030-01-01T08:00:00",
                              "ends_at": "2030-01-01T09:00:00Z"}, "body.starts_at")):
            refused = await registry.post(f"/duty/people/{pid}/shifts", json=body)
            assert refused.status_code == 422 and field in [e["field"] for e in refused.json()["errors"]], refused.text
        assert (await registry.get(f"/duty/people/{pid}")).json()["shifts"] == []
        assert (await registry.post("/duty/people/stf_nobody/shifts", json={
            "checkpoint_id": checkpoint, "starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-01T08:00:00Z"})).status_code == 404
        assert (await registry.post("/duty/coverage-checks", json={"checkpoint_ids": ["CP-NOPE"]})).status_code == 422
        assert (await registry.get("/duty/checkpoints/CP-NOPE/coverage")).status_code == 404
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as volunteer:
        assert (await volunteer.post("/duty/coverage-checks", json={})).status_code == 403
