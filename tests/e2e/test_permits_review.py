"""Joint review on the real stack: departments in parallel, the rule, what a reviewer sees,
the opening standard, time limits with an overdue event and escalation."""

from __future__ import annotations

import time

from e2e_support import System, eventually, events_with, read_topic
from permits_support import (
    PERMIT_TOPIC,
    apply,
    approve_all,
    business_reopening,
    grid_known,
    holder_code,
    health_certificate,
    resident_id,
    reviewer,
    vehicle_pass,
)


async def test_reviewers_see_and_decide_only_their_department(system: System) -> None:
    await grid_known(system)  # the community of the service point SP-C03
    async with system.client("permits") as admin:
        policies = {p["permit_type"]: p for p in (await admin.get("/review-policies")).json()}
        assert policies["vehicle_pass"]["rule"] == "quorum" and policies["vehicle_pass"]["quorum"] == 2
        vp = await apply(admin, vehicle_pass())
        hc = await apply(admin, health_certificate())
    assert [s["department"] for s in vp["steps"]] == ["traffic", "epidemic_control", "community"]

    async with reviewer(system, "traffic") as traffic:
        queue = (await traffic.get("/applications", params={"awaiting_my_review": "true", "limit": 200})).json()
        ids = {a["permit_id"] for a in queue["items"]}
        assert vp["permit_id"] in ids and hc["permit_id"] not in ids
        one = await traffic.get(f"/applications/{vp['permit_id']}")
        assert [s["department"] for s in one.json()["steps"]] == ["traffic"]
        assert (await traffic.get(f"/applications/{hc['permit_id']}")).status_code == 403, "not its department's"
        other = await traffic.post(f"/applications/{vp['permit_id']}/reviews/community", json={"decision": "approve"})
        assert other.status_code == 403
        no_reason = await traffic.post(f"/applications/{vp['permit_id']}/reviews/traffic", json={"decision": "reject"})
        assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "body.reason"
        bad = await traffic.post(f"/applications/{vp['permit_id']}/reviews/traffic", json={"decision": "maybe"})
        assert bad.status_code == 422 and "decision" in bad.json()["errors"][0]["field"]
        rejected = await traffic.post(f"/applications/{vp['permit_id']}/reviews/traffic",
                                      json={"decision": "reject", "reason": "route crosses a closed road"})
        assert rejected.status_code == 200 and rejected.json()["status"] == "under_review"
    async with reviewer(system, None) as nobody:
        assert (await nobody.get("/applications")).status_code == 403

    # Quorum 2 of 3: one rejection still leaves two approvals possible.
    issued = await approve_all(system, vp["permit_id"], ["epidemic_control", "community"])
    assert issued["status"] == "issued" and "verification_code" not in issued, "no code in a staff view"
    assert (await holder_code(system, vp["permit_id"], vp["receipt"])).startswith("TGP1."), "the holder's channel"
    async with system.client("permits") as admin:
        full = (await admin.get(f"/applications/{vp['permit_id']}")).json()
    assert {s["department"]: s["status"] for s in full["steps"]} == {
        "traffic": "rejected", "epidemic_control": "approved", "community": "approved"}
    assert full["steps"][0]["reason"] == "route crosses a closed road"

    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=vp["permit_id"], event_type="permits.permit.issued")))
    mine = [e["event_type"] for e in events_with(records, aggregate_id=vp["permit_id"])]
    assert mine == ["permits.permit.applied"] + ["permits.permit.review_step_decided"] * 3 + ["permits.permit.issued"]


async def test_all_rule_rejects_on_one_refusal_with_the_reason(system: System) -> None:
    async with system.client("permits") as admin:
        br = await apply(admin, business_reopening())
    async with reviewer(system, "health") as health:
        refused = await health.post(f"/applications/{br['permit_id']}/reviews/health", json={
            "decision": "reject", "reason": "no disinfection log", "reason_code": "opening_standard_not_met"})
    assert refused.status_code == 200
    assert refused.json()["status"] == "rejected"
    async with system.client("permits", None) as anyone:
        status = (await anyone.get(f"/applications/{br['permit_id']}/status",
                                   params={"receipt": br["receipt"]})).json()
    assert status["rejection"]["reason"] == "opening_standard_not_met"
    assert status["rejection"]["department"] == "health"
    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=br["permit_id"], event_type="permits.permit.rejected")))
    rejected = events_with(records, aggregate_id=br["permit_id"], event_type="permits.permit.rejected")[0]
    assert rejected["data"]["reason"] == "opening_standard_not_met" and rejected["data"]["department"] == "health"


async def test_business_reopening_needs_the_opening_standard_then_lets_the_merchant_sell(system: System) -> None:
    async with system.client("permits") as admin:
        br = await apply(admin, business_reopening(complete=False))
        assert br["checklist_missing"] == ["staff_health_certificates", "disinfection", "temperature_checks",
                                           "buyer_ledger"]
        async with reviewer(system, "health") as health:
            early = await health.post(f"/applications/{br['permit_id']}/reviews/health", json={"decision": "approve"})
            assert early.status_code == 409 and "opening standard" in early.json()["detail"]
        bad = await admin.post(f"/applications/{br['permit_id']}/checklist", json={"disinfection": "perhaps"})
        assert bad.status_code == 422 and "disinfection" in bad.json()["errors"][0]["field"]
        ticked = await admin.post(f"/applications/{br['permit_id']}/checklist", json={
            "staff_health_certificates": True, "disinfection": True, "temperature_checks": True,
            "buyer_ledger": True})
        assert ticked.status_code == 200 and ticked.json()["checklist_missing"] == []
    issued = await approve_all(system, br["permit_id"], ["market_supervision", "health", "epidemic_control"])
    assert issued["status"] == "issued"

    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=br["permit_id"], event_type="permits.permit.issued")))
    event = events_with(records, aggregate_id=br["permit_id"], event_type="permits.permit.issued")[0]
    assert event["data"]["permit_type"] == "business_reopening"
    assert event["data"]["merchant_id"] == br["merchant_id"] and event["data"]["holder_resident_id"] is None
    assert "人民路" not in str(event)


async def test_overdue_step_raises_an_event_and_escalates_to_town_admin(system: System) -> None:
    async with system.client("permits") as admin:
        before = next(p for p in (await admin.get("/review-policies")).json() if p["permit_type"] == "health_certificate")
        bad = await admin.put("/review-policies/health_certificate", json={"departments": ["health"], "rule": "quorum"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.quorum"
        assert (await admin.put("/review-policies/fishing", json={"departments": ["health"]})).status_code == 422
        short = await admin.put("/review-policies/health_certificate", json={
            "departments": ["health", "community"], "rule": "all", "step_time_limit_s": 2})
        assert short.status_code == 200, short.text
        try:
            hc = await apply(admin, health_certificate(resident_id()))
        finally:
            restore = {k: v for k, v in before.items() if k != "permit_type"}
            assert (await admin.put("/review-policies/health_certificate", json=restore)).status_code == 200
        async with reviewer(system, "health") as health:
            assert (await health.post(f"/applications/{hc['permit_id']}/reviews/health",
                                      json={"decision": "approve"})).status_code == 200
        # The community department lets its step run past the limit.
        started = time.monotonic()
        records = await read_topic(system.kafka, PERMIT_TOPIC, timeout=30, until=lambda rs: bool(
            events_with(rs, aggregate_id=hc["permit_id"], event_type="permits.permit.review_step_overdue")))
        overdue = events_with(records, aggregate_id=hc["permit_id"], event_type="permits.permit.review_step_overdue")
        assert [e["data"]["department"] for e in overdue] == ["community"]
        assert overdue[0]["data"]["escalated_to"] == "town_admin"
        print(f"overdue event seen {time.monotonic() - started:.1f} s after the health approval")

        async def escalated() -> list:
            queue = await admin.get("/applications", params={"awaiting_my_review": "true", "limit": 200})
            return [a for a in queue.json()["items"] if a["permit_id"] == hc["permit_id"]]

        [item] = await eventually(escalated)
        step = next(s for s in item["steps"] if s["department"] == "community")
        assert step["overdue"] and step["escalated"]
        decided = await admin.post(f"/applications/{hc['permit_id']}/reviews/community", json={"decision": "approve"})
        assert decided.status_code == 200 and decided.json()["status"] == "issued"
        # A step that is not overdue stays with its department.
        other = await apply(admin, health_certificate(resident_id()))
        refused = await admin.post(f"/applications/{other['permit_id']}/reviews/health", json={"decision": "approve"})
        assert refused.status_code == 409
        assert [s["department"] for s in other["steps"]] == before["departments"]
