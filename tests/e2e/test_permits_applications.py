"""Permits on the real stack: applying through the three channels, bad input, applicant status."""

from __future__ import annotations

import uuid

from e2e_support import System, events_with, read_topic
from permits_support import (
    PERMIT_TOPIC,
    apply,
    business_reopening,
    grid_known,
    health_certificate,
    resident_id,
    vehicle_pass,
)
from towngrid_kit.auth import Role


async def qr_code(system: System, checkpoint_id: str = "CP-C03-017") -> str:
    await grid_known(system)  # a checkpoint of the grid, and the community of the service point SP-C03
    async with system.client("permits") as admin:
        found = await admin.get(f"/checkpoints/{checkpoint_id}/qr-code")
        assert found.status_code == 200, found.text
        assert found.json()["compound_id"] == checkpoint_id[3:]
        return found.json()["qr_code"]


async def test_three_channels_one_applicant_each_channel_recorded(system: System) -> None:
    holder = resident_id()
    code = await qr_code(system)
    async with system.client("permits", Role.COMMUNITY_OFFICER) as staff, system.client("permits", None) as anyone:
        at_window = await apply(staff, health_certificate(holder, channel="town_hall_window", service_point_id="W3"))
        at_point = await apply(staff, vehicle_pass(holder))
        online_body = {k: v for k, v in health_certificate(holder).items() if k not in ("channel", "service_point_id")}
        online = await anyone.post("/online-applications", json={**online_body, "qr_code": code})
        assert online.status_code == 201, online.text
        online = online.json()
        assert online["details"] is None  # the public answer shows no personal details

        assert (at_window["channel"], at_window["service_point_id"]) == ("town_hall_window", "W3")
        assert (at_point["channel"], at_point["service_point_id"]) == ("community_service_point", "SP-C03")
        assert (online["channel"], online["checkpoint_id"]) == ("online_qr", "CP-C03-017")
        assert at_point["details"]["plate_number"] == "豫Q12345"
        assert all(a["status"] == "under_review" for a in (at_window, at_point, online))

        listed = (await staff.get("/applications", params={"holder_id": holder})).json()["items"]
        assert {a["permit_id"] for a in listed} == {at_window["permit_id"], at_point["permit_id"], online["permit_id"]}
        first = (await staff.get("/applications", params={"holder_id": holder, "limit": 2})).json()
        assert len(first["items"]) == 2 and first["next_after"] == first["items"][-1]["permit_id"]
        rest = (await staff.get("/applications", params={"holder_id": holder, "after": first["next_after"]})).json()
        assert len(rest["items"]) == 1 and rest["next_after"] is None
        assert {a["permit_id"] for a in first["items"] + rest["items"]} == {a["permit_id"] for a in listed}

        assert online["receipt"] and at_window["receipt"] and online["receipt"] != at_window["receipt"]
        status = await anyone.get(f"/applications/{online['permit_id']}/status", params={"receipt": online["receipt"]})
        assert status.status_code == 200 and status.json()["status"] == "under_review"
        assert status.json()["details"] is None and status.json()["receipt"] is None
        wrong = await anyone.get(f"/applications/{online['permit_id']}/status", params={"receipt": at_window["receipt"]})
        assert wrong.status_code == 404
        missing = await anyone.get(f"/applications/{online['permit_id']}/status")
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "query.receipt"
        assert (await staff.get(f"/applications/{online['permit_id']}")).json()["receipt"] is None
        assert (await anyone.get("/applications", params={"holder_id": holder})).status_code == 401

    ids = {a["permit_id"] for a in (at_window, at_point, online)}
    records = await read_topic(system.kafka, PERMIT_TOPIC,
                               until=lambda rs: len([r for r in rs if r.key.decode() in ids]) >= 3)
    applied = {e["aggregate_id"]: e["data"] for e in events_with(records, event_type="permits.permit.applied")
               if e["aggregate_id"] in ids}
    assert applied[online["permit_id"]]["channel"] == "online_qr"
    assert applied[online["permit_id"]]["checkpoint_id"] == "CP-C03-017"
    assert applied[at_point["permit_id"]]["service_point_id"] == "SP-C03"
    raw = b"".join(r.value for r in records if r.key.decode() in ids).decode()
    assert "12345" not in raw and "vegetable" not in raw, "no plate number or free text in events"


async def test_bad_input_is_refused_naming_the_field_and_stores_nothing(system: System) -> None:
    holder = resident_id()
    cases = [
        (health_certificate(holder, holder_resident_id="12345"), "holder_resident_id"),
        ({k: v for k, v in health_certificate(holder).items() if k != "purpose"}, "purpose"),
        (vehicle_pass(holder, plate_number="ABC-123"), "plate_number"),
        (vehicle_pass(holder, valid_until=None), "valid_until"),
        (vehicle_pass(holder, valid_until="2020-01-01T00:00:00Z"), "valid_until"),
        (vehicle_pass(holder, vehicle_type="spaceship"), "vehicle_type"),
        (health_certificate(holder, service_point_id="W9"), "service_point_id"),
        (health_certificate(holder, channel="online_qr"), "channel"),
        (health_certificate(holder, favourite_colour="red"), "favourite_colour"),
        ({**health_certificate(holder), "permit_type": "fishing_licence"}, "permit_type"),
        (business_reopening(premises=""), "premises"),
    ]
    async with system.client("permits") as admin:
        for body, field in cases:
            refused = await admin.post("/applications", json=body)
            assert refused.status_code == 422, (field, refused.text)
            named = [e["field"] for e in refused.json()["errors"]]
            assert any(field in f for f in named), (field, named)
        listed = await admin.get("/applications", params={"holder_id": holder})
        assert listed.json()["items"] == []

        async with system.client("permits", None) as anyone:
            body = {k: v for k, v in health_certificate(holder).items() if k not in ("channel", "service_point_id")}
            code = await qr_code(system)
            prefix, payload, sig = code.split(".")
            for bad in ("CP-C03-017", f"{prefix}.{payload[:-2]}AA.{sig}", ""):
                refused = await anyone.post("/online-applications", json={**body, "qr_code": bad})
                assert refused.status_code == 422, refused.text
                assert any("qr_code" in e["field"] for e in refused.json()["errors"])
        assert (await admin.get("/applications", params={"holder_id": holder})).json()["items"] == []
        assert (await admin.get("/checkpoints/not-a-checkpoint/qr-code")).status_code == 422


async def test_roles_and_idempotent_retry(system: System) -> None:
    holder = resident_id()
    body = health_certificate(holder)
    async with system.client("permits", Role.MERCHANT) as merchant:
        assert (await merchant.post("/applications", json=body)).status_code == 403
    async with system.client("permits", None) as anyone:
        assert (await anyone.post("/applications", json=body)).status_code == 401
    async with system.client("permits") as admin:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        first = await admin.post("/applications", json=body, headers=key)
        again = await admin.post("/applications", json=body, headers=key)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert first.json()["permit_id"] == again.json()["permit_id"]
        listed = (await admin.get("/applications", params={"holder_id": holder})).json()["items"]
        assert len(listed) == 1
