"""One file per person on the real stack: extend/shorten a quarantine with a reason, missed daily
checks flagged by the worker, close contacts linked and quarantined from the case, the whole
history as one file."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from e2e_support import System, eventually, events_with, read_all
from people import returnee
from towngrid_kit.auth import Role

RESIDENT_TOPIC = "registry.resident.v1"


def compound() -> str:
    return f"C99-{uuid.uuid4().hex[:8]}"


async def register(registry) -> str:  # noqa: ANN001
    created = await registry.post("/residents", json=returnee(compound()))
    assert created.status_code == 201, created.text
    return created.json()["resident"]["resident_id"]


async def test_extend_and_shorten_a_quarantine_with_a_reason(system: System) -> None:
    async with system.client("registry") as registry:
        rid = await register(registry)
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "home", "planned_end": "2030-02-14", "reason_code": "close_contact"})).json()["quarantine_id"]
        url = f"/residents/{rid}/quarantines/{qid}/planned-end"
        longer = await registry.post(url, json={"planned_end": "2030-02-21", "reason": "symptoms", "note": "咳嗽"})
        assert longer.status_code == 200, longer.text
        shorter = await registry.post(url, json={"planned_end": "2030-02-18", "reason": "test_result"})
        assert shorter.json()["planned_end"] == "2030-02-18"
        changes = shorter.json()["planned_end_changes"]
        assert [(c["previous_planned_end"], c["planned_end"], c["reason"]) for c in changes] == [
            ("2030-02-14", "2030-02-21", "symptoms"), ("2030-02-21", "2030-02-18", "test_result")]
        assert changes[0]["note"] == "咳嗽" and changes[0]["changed_by"] == "test-admin"
        for body, field in (({"planned_end": "2030-02-20", "reason": "bored"}, "body.reason_code"),
                            ({"planned_end": "2030-02-20", "reason": "other"}, "body.note"),
                            ({"planned_end": "2000-01-01", "reason": "policy_change"}, "body.planned_end"),
                            ({"planned_end": "2030-02-18", "reason": "policy_change"}, "body.planned_end"),
                            ({"reason": "other"}, "body.planned_end")):
            refused = await registry.post(url, json=body)
            assert refused.status_code == 422 and field in refused.text, refused.text
        assert (await registry.post(f"/residents/{rid}/quarantines/qua_none/planned-end",
                                    json={"planned_end": "2030-02-20", "reason": "policy_change"})).status_code == 404
        await registry.post(f"/residents/{rid}/quarantines/{qid}/end", json={"outcome": "released", "reason_code": "period_completed"})
        assert (await registry.post(url, json={"planned_end": "2030-02-25", "reason": "policy_change"})).status_code == 409
        file = (await registry.get(f"/residents/{rid}")).json()
        assert file["quarantines"][0]["planned_end"] == "2030-02-18" and len(file["quarantines"][0]["planned_end_changes"]) == 2
    async with system.client("registry", role=Role.COMPOUND_VOLUNTEER) as volunteer:
        assert (await volunteer.post(url, json={"planned_end": "2030-02-25", "reason": "other"})).status_code == 403

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                            event_type="registry.quarantine.planned_end_changed")
        return found if len(found) == 2 else None

    events = await eventually(published)
    assert [e["data"]["extended"] for e in events] == [True, False]
    assert "咳嗽" not in str(events), "the free-text note is never published"


async def test_a_day_without_a_check_is_flagged_by_the_worker(system: System) -> None:
    started = datetime.now(UTC) - timedelta(days=3, hours=1)
    async with system.client("registry") as registry:
        missed_before = (await registry.get("/figures")).json()["daily_checks_missed_in_open_quarantines"]
        rid = await register(registry)
        qid = (await registry.post(f"/residents/{rid}/quarantines", json={
            "kind": "home", "planned_end": "2030-02-14", "reason_code": "close_contact", "started_at": started.isoformat()})).json()["quarantine_id"]

        async def flagged() -> list[str] | None:
            days = (await registry.get(f"/residents/{rid}")).json()["quarantines"][0]["missed_check_days"]
            return days if len(days) >= 2 else None

        days = await eventually(flagged, timeout=30)

        async def counted() -> bool:  # the figures read the current-state documents, refreshed just after each commit
            missed_after = (await registry.get("/figures")).json()["daily_checks_missed_in_open_quarantines"]
            return missed_after - missed_before == len(days)

        await eventually(counted)
    local = lambda d: (d + timedelta(hours=8)).date()  # noqa: E731 - the town is on UTC+8
    expected = [local(started) + timedelta(days=n) for n in range(1, (local(datetime.now(UTC)) - local(started)).days)]
    assert days == [d.isoformat() for d in expected]

    async def published() -> list[dict] | None:
        found = events_with(await read_all(system.kafka, RESIDENT_TOPIC), aggregate_id=rid,
                            event_type="registry.quarantine.health_check_missed")
        return found if len(found) >= len(expected) else None

    events = await eventually(published)
    assert [e["data"]["day"] for e in events] == days, "each day flagged once"
    assert all(e["data"]["quarantine_id"] == qid for e in events)


async def test_close_contact_linked_and_quarantined_from_the_case(system: System) -> None:
    async with system.client("registry") as registry:
        case, contact, stranger = await register(registry), await register(registry), await register(registry)
        today = date.today().isoformat()
        linked = await registry.post(f"/residents/{case}/contacts",
                                     json={"contact_resident_id": contact, "last_contact_on": today})
        assert linked.status_code == 201, linked.text
        again = await registry.post(f"/residents/{case}/contacts",
                                    json={"contact_resident_id": contact, "last_contact_on": today})
        assert again.status_code == 409
        unknown = await registry.post(f"/residents/{case}/contacts",
                                      json={"contact_resident_id": "res_nobody", "last_contact_on": today})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.contact_resident_id"
        bad_date = await registry.post(f"/residents/{case}/contacts",
                                       json={"contact_resident_id": stranger, "last_contact_on": "last week"})
        assert bad_date.status_code == 422 and "body.last_contact_on" in bad_date.text
        not_linked = await registry.post(f"/residents/{case}/contacts/{stranger}/quarantine",
                                         json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert not_linked.status_code == 404
        assert not (await registry.get(f"/residents/{stranger}")).json()["in_quarantine"]
        quarantined = await registry.post(f"/residents/{case}/contacts/{contact}/quarantine",
                                          json={"kind": "centralized", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert quarantined.status_code == 201, quarantined.text
        assert quarantined.json()["contact_of"] == case
        contact_file = (await registry.get(f"/residents/{contact}")).json()
        assert contact_file["in_quarantine"] and contact_file["quarantines"][0]["kind"] == "centralized"
        twice = await registry.post(f"/residents/{case}/contacts/{contact}/quarantine",
                                    json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        assert twice.status_code == 409

        history = (await registry.get(f"/residents/{contact}/history")).json()
        assert history["contact_of"] == [case]
        assert [e["event_type"] for e in history["events"]] == ["registry.resident.returned",
                                                                 "registry.quarantine.started"]
        assert history["events"][1]["data"]["contact_of_resident_id"] == case
        case_history = (await registry.get(f"/residents/{case}/history")).json()
        assert [e["event_type"] for e in case_history["events"]] == ["registry.resident.returned",
                                                                     "registry.contact.linked"]
        assert case_history["resident"]["contacts"][0]["contact_resident_id"] == contact
        assert (await registry.get("/residents/res_nobody/history")).status_code == 404

    async def published() -> bool:
        records = await read_all(system.kafka, RESIDENT_TOPIC)
        return bool(events_with(records, aggregate_id=case, event_type="registry.contact.linked")) and bool(
            events_with(records, aggregate_id=contact, event_type="registry.quarantine.started"))

    await eventually(published)


async def test_the_history_is_the_whole_file_in_order(system: System) -> None:
    async with system.client("registry") as registry:
        body = returnee(compound())
        rid = (await registry.post("/residents", json=body)).json()["resident"]["resident_id"]
        await registry.post("/residents", json=body | {"origin_city": "孝感市"})
        code = (await registry.get(f"/residents/{rid}/checklist")).json()["items"][0]["code"]
        await registry.post(f"/residents/{rid}/checklist/items/{code}/verify", json={})
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "home", "planned_end": "2030-02-14", "reason_code": "close_contact"})).json()["quarantine_id"]
        await registry.post(f"/residents/{rid}/quarantines/{qid}/health-checks", json={"temperature_c": 37.5})
        await registry.post(f"/residents/{rid}/quarantines/{qid}/end", json={"outcome": "hospitalized", "reason_code": "hospital_transfer"})
        history = (await registry.get(f"/residents/{rid}/history")).json()
    assert [e["event_type"] for e in history["events"]] == [
        "registry.resident.returned", "registry.resident.returned", "registry.checklist.item_verified",
        "registry.quarantine.started", "registry.quarantine.health_check_recorded",
        "registry.quarantine.fever_alert_raised", "registry.quarantine.ended"]
    assert [e["version"] for e in history["events"]] == list(range(1, 8))
    assert len(history["resident"]["returns"]) == 2 and history["resident"]["quarantines"][0]["outcome"] == "hospitalized"
    assert body["national_id"] not in str(history) and body["mobile"] not in str(history)
