"""Accountable decisions about people, on the real stack (issue 8): starting, extending and ending a
quarantine, suspending, lifting and revoking a permit record who did it and why (a configured code plus
free text that stays in the owning service); appeals are reviewed by someone other than the decider, and
their outcome is an event that ends the quarantine or reinstates the permit."""

from __future__ import annotations

import uuid

from e2e_support import System, eventually, events_with, read_topic
from people import returnee
from permits_support import PERMIT_TOPIC, health_certificate, issue, vehicle_pass
from towngrid_kit.auth import Role

RESIDENT_TOPIC = "registry.resident.v1"


def marker() -> str:
    """Free text that must never leave the owning service (it could name people)."""
    return f"note-{uuid.uuid4().hex[:12]} 王五"


def compound() -> str:
    return f"C99-{uuid.uuid4().hex[:8]}"


async def register(system: System) -> str:
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(compound()))
        assert created.status_code == 201, created.text
        return created.json()["resident"]["resident_id"]


def of_resident(records, resident_id: str) -> list[dict]:  # noqa: ANN001
    return events_with(records, aggregate_id=resident_id)


async def test_quarantine_decisions_record_who_and_why(system: System) -> None:
    rid = await register(system)
    notes = [marker(), marker(), marker()]
    async with system.client("registry", subject="officer-start") as starter:
        unknown = await starter.post(f"/residents/{rid}/quarantines", json={
            "kind": "home", "planned_end": "2030-03-01", "reason_code": "looked_ill"})
        assert unknown.status_code == 422, unknown.text
        assert unknown.json()["errors"][0]["field"] == "body.reason_code"
        assert "close_contact" in unknown.json()["detail"] and "returned_from_risk_area" in unknown.json()["detail"]
        missing = await starter.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2030-03-01"})
        assert missing.status_code == 422 and "body.reason_code" in missing.text
        bare_other = await starter.post(f"/residents/{rid}/quarantines", json={
            "kind": "home", "planned_end": "2030-03-01", "reason_code": "other"})
        assert bare_other.status_code == 422 and bare_other.json()["errors"][0]["field"] == "body.note"
        started = await starter.post(f"/residents/{rid}/quarantines", json={
            "kind": "home", "planned_end": "2030-03-01", "reason_code": "close_contact", "note": notes[0]})
        assert started.status_code == 201, started.text
        qid = started.json()["quarantine_id"]
    async with system.client("registry", subject="officer-extend") as extender:
        extended = await extender.post(f"/residents/{rid}/quarantines/{qid}/planned-end", json={
            "planned_end": "2030-03-08", "reason_code": "symptoms", "note": notes[1]})
        assert extended.status_code == 200, extended.text
    async with system.client("registry", subject="officer-end") as ender:
        refused = await ender.post(f"/residents/{rid}/quarantines/{qid}/end", json={"outcome": "released",
                                                                                   "reason_code": "bored"})
        assert refused.status_code == 422 and "negative_test" in refused.json()["detail"]
        ended = await ender.post(f"/residents/{rid}/quarantines/{qid}/end", json={
            "outcome": "released", "reason_code": "negative_test", "note": notes[2]})
        assert ended.status_code == 200, ended.text
        history = (await ender.get(f"/residents/{rid}/history")).json()

    decisions = history["resident"]["quarantines"][0]["decisions"]
    assert [(d["action"], d["reason_code"], d["decided_by"], d["note"]) for d in decisions] == [
        ("started", "close_contact", "officer-start", notes[0]), ("extended", "symptoms", "officer-extend", notes[1]),
        ("ended", "negative_test", "officer-end", notes[2])]
    in_file = {e["event_type"]: e["data"] for e in history["events"]}
    assert (in_file["registry.quarantine.started"]["decided_by"],
            in_file["registry.quarantine.started"]["reason_code"]) == ("officer-start", "close_contact")
    assert in_file["registry.quarantine.planned_end_changed"]["reason_code"] == "symptoms"
    assert (in_file["registry.quarantine.ended"]["decided_by"],
            in_file["registry.quarantine.ended"]["reason_code"]) == ("officer-end", "negative_test")

    records = await read_topic(system.kafka, RESIDENT_TOPIC, timeout=60, until=lambda rs: bool(
        events_with(rs, aggregate_id=rid, event_type="registry.quarantine.ended")))
    published = {e["event_type"]: e["data"] for e in of_resident(records, rid)}
    assert published["registry.quarantine.started"]["decided_by"] == "officer-start"
    assert published["registry.quarantine.planned_end_changed"]["decided_by"] == "officer-extend"
    assert published["registry.quarantine.ended"]["reason_code"] == "negative_test"
    text = str(of_resident(records, rid))
    assert not any(n.split()[0] in text for n in notes), "free text stays in the registry"


async def test_an_overturned_quarantine_appeal_ends_it_and_reinstates_permits(system: System) -> None:
    rid = await register(system)
    certificate = await issue(system, health_certificate(rid))
    statement = marker()
    async with system.client("registry", subject="officer-start") as starter:
        started = await starter.post(f"/residents/{rid}/quarantines", json={
            "kind": "home", "planned_end": "2030-03-01", "reason_code": "returned_from_risk_area"})
        assert started.status_code == 201, started.text
        qid = started.json()["quarantine_id"]

    async with system.client("permits") as permits:
        async def suspended() -> dict | None:
            found = (await permits.get(f"/applications/{certificate['permit_id']}")).json()
            return found if found["status"] == "suspended" else None

        permit = await eventually(suspended, timeout=60)
    automatic = permit["decisions"][-1]
    assert (automatic["action"], automatic["decided_by"], automatic["reason_code"]) == (
        "suspended", "system", "holder_quarantined")
    assert automatic["cause"]["quarantine_id"] == qid and automatic["cause"]["decided_by"] == "officer-start"
    assert automatic["cause"]["reason_code"] == "returned_from_risk_area"

    async with system.client("registry", Role.COMMUNITY_OFFICER, scope="community:C01", subject="elsewhere") as out:
        assert (await out.post("/appeals", json={"resident_id": rid, "quarantine_id": qid})).status_code == 403
    async with system.client("registry", Role.COMMUNITY_OFFICER, subject="officer-filer") as filer:
        filed = await filer.post("/appeals", json={"resident_id": rid, "quarantine_id": qid, "statement": statement})
        assert filed.status_code == 201, filed.text
        appeal = filed.json()
        assert appeal["status"] == "open" and appeal["deciders"] == ["officer-start"]
        again = await filer.post("/appeals", json={"resident_id": rid, "quarantine_id": qid})
        assert again.status_code == 409
        own = await filer.post(f"/appeals/{appeal['appeal_id']}/decision",
                               json={"outcome": "overturned", "reason_code": "insufficient_grounds"})
        assert own.status_code == 403 and "filed this appeal" in own.json()["detail"]
    decision = {"outcome": "overturned", "reason_code": "insufficient_grounds", "note": "no proof of travel"}
    async with system.client("registry", subject="officer-start") as decider:
        refused = await decider.post(f"/appeals/{appeal['appeal_id']}/decision", json=decision)
        assert refused.status_code == 403 and "officer-start" in refused.json()["detail"]
    async with system.client("registry", subject="reviewer-r") as reviewer:
        unknown = await reviewer.post(f"/appeals/{appeal['appeal_id']}/decision",
                                      json={"outcome": "overturned", "reason_code": "felt_like_it"})
        assert unknown.status_code == 422 and "insufficient_grounds" in unknown.json()["detail"]
        decided = await reviewer.post(f"/appeals/{appeal['appeal_id']}/decision", json=decision)
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "overturned" and decided.json()["decided_by"] == "reviewer-r"
        twice = await reviewer.post(f"/appeals/{appeal['appeal_id']}/decision", json=decision)
        assert twice.status_code == 409
        file = (await reviewer.get(f"/residents/{rid}/history")).json()
    quarantine = file["resident"]["quarantines"][0]
    assert not file["resident"]["in_quarantine"] and quarantine["outcome"] == "released"
    last = quarantine["decisions"][-1]
    assert (last["action"], last["reason_code"], last["decided_by"], last["appeal_id"]) == (
        "ended", "appeal_overturned", "reviewer-r", appeal["appeal_id"])
    assert file["appeals"][0]["statement"] == statement

    records = await read_topic(system.kafka, RESIDENT_TOPIC, timeout=60, until=lambda rs: bool(
        events_with(rs, aggregate_id=rid, event_type="registry.quarantine.ended")))
    mine = {e["event_type"]: e["data"] for e in of_resident(records, rid)}
    assert mine["registry.appeal.filed"]["filed_by"] == "officer-filer"
    assert (mine["registry.appeal.decided"]["outcome"], mine["registry.appeal.decided"]["decided_by"]) == (
        "overturned", "reviewer-r")
    assert mine["registry.quarantine.ended"]["appeal_id"] == appeal["appeal_id"]
    text = str(of_resident(records, rid))
    assert statement.split()[0] not in text and "no proof of travel" not in text

    async with system.client("permits") as permits:
        async def reinstated() -> dict | None:
            found = (await permits.get(f"/applications/{certificate['permit_id']}")).json()
            return found if found["status"] == "issued" else None

        back = await eventually(reinstated, timeout=60)
    assert back["decisions"][-1]["cause"]["appeal_id"] == appeal["appeal_id"]
    assert back["decisions"][-1]["decided_by"] == "system"


async def test_permit_decisions_and_the_holders_appeal(system: System) -> None:
    permit = await issue(system, vehicle_pass())
    pid, code = permit["permit_id"], permit["verification_code"]
    notes = [marker(), marker()]
    async with system.client("permits", subject="admin-a") as admin_a:
        unknown = await admin_a.post(f"/permits/{pid}/suspend", json={"reason_code": "dislike"})
        assert unknown.status_code == 422 and "misuse" in unknown.json()["detail"]
        suspended = await admin_a.post(f"/permits/{pid}/suspend", json={"reason_code": "misuse", "note": notes[0]})
        assert suspended.status_code == 200, suspended.text
        assert suspended.json()["suspension"]["decided_by"] == "admin-a"
    async with system.client("permits", subject="admin-b") as admin_b:
        lifted = await admin_b.post(f"/permits/{pid}/lift-suspension", json={"reason_code": "investigation_closed"})
        assert lifted.status_code == 200 and lifted.json()["status"] == "issued", lifted.text
    async with system.client("permits", subject="admin-a") as admin_a:
        revoked = await admin_a.post(f"/permits/{pid}/revoke", json={"reason_code": "forged_documents",
                                                                     "note": notes[1]})
        assert revoked.status_code == 200, revoked.text
        record = revoked.json()
    assert [(d["action"], d["reason_code"], d["decided_by"]) for d in record["decisions"]] == [
        ("suspended", "misuse", "admin-a"), ("lifted", "investigation_closed", "admin-b"),
        ("revoked", "forged_documents", "admin-a")]
    assert record["decisions"][0]["note"] == notes[0]

    statement = marker()
    payload, signature = code.split(".")[1:]
    tampered = f"TGP1.{payload}.{signature[:-4]}AAAA"
    async with system.client("permits", None) as public:
        wrong = await public.post("/holder-appeals", json={"verification_code": tampered, "statement": statement})
        garbage = await public.post("/holder-appeals", json={"verification_code": "TGP1.e30.AAAA"})
        assert wrong.status_code == garbage.status_code == 422
        assert wrong.json()["detail"] == garbage.json()["detail"] == "code refused"
        assert pid not in wrong.text and "revok" not in wrong.text
        filed = await public.post("/holder-appeals", json={"verification_code": code, "statement": statement})
        assert filed.status_code == 201, filed.text
        assert set(filed.json()) == {"appeal_id", "permit_id", "status", "filed_at"}
        appeal_id = filed.json()["appeal_id"]
    async with system.client("permits", subject="admin-c") as admin_c:
        second = await admin_c.post("/appeals", json={"permit_id": pid})
        assert second.status_code == 409
    async with system.client("permits", Role.COMMUNITY_OFFICER, subject="officer") as officer:
        assert (await officer.post(f"/appeals/{appeal_id}/decision", json={
            "outcome": "overturned", "reason_code": "new_evidence"})).status_code == 403
    async with system.client("permits", subject="admin-a") as admin_a:
        own = await admin_a.post(f"/appeals/{appeal_id}/decision", json={"outcome": "overturned",
                                                                         "reason_code": "new_evidence"})
        assert own.status_code == 403 and "admin-a" in own.json()["detail"]
    async with system.client("permits", subject="admin-b") as admin_b:
        decided = await admin_b.post(f"/appeals/{appeal_id}/decision", json={
            "outcome": "overturned", "reason_code": "new_evidence", "note": "the papers were genuine"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "overturned" and decided.json()["channel"] == "holder"
        now = (await admin_b.get(f"/applications/{pid}")).json()
        assert now["status"] == "issued" and now["decisions"][-1]["appeal_id"] == appeal_id
        assert (await admin_b.post("/verify", json={"code": code})).json()["status"] == "valid"

    records = await read_topic(system.kafka, PERMIT_TOPIC, timeout=60, until=lambda rs: len(
        events_with(rs, aggregate_id=pid, event_type="permits.permit.reinstated")) >= 2)
    mine = events_with(records, aggregate_id=pid)
    by_type = {}
    for e in mine:
        by_type.setdefault(e["event_type"], []).append(e["data"])
    assert [(e["decided_by"], e["reason_code"]) for e in by_type["permits.permit.suspended"]] == [("admin-a", "misuse")]
    assert [(e["decided_by"], e["reason_code"], e["appeal_id"]) for e in by_type["permits.permit.reinstated"]] == [
        ("admin-b", "investigation_closed", None), ("admin-b", "appeal_overturned", appeal_id)]
    assert by_type["permits.permit.revoked"][0]["reason_code"] == "forged_documents"
    assert by_type["permits.appeal.filed"][0]["channel"] == "holder"
    assert (by_type["permits.appeal.decided"][0]["outcome"], by_type["permits.appeal.decided"][0]["decided_by"]) == (
        "overturned", "admin-b")
    text = str(mine)
    assert not any(n.split()[0] in text for n in [*notes, statement]) and "genuine" not in text
