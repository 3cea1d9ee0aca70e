"""Permits on the real stack: applying through the three channels, bad input, applicant status; online
only with the holder key of the holder's registration slip."""

from __future__ import annotations

import uuid

from e2e_support import System, eventually, events_with, read_topic
from people import returnee
from permits_support import (
    PERMIT_TOPIC,
    apply,
    approve_all,
    business_reopening,
    grid_known,
    health_certificate,
    holder_code,
    online_application,
    registered_holder,
    resident_id,
    vehicle_pass,
)
from towngrid_kit.auth import Role
from towngrid_kit.holder_keys import holder_key_hash


async def qr_code(system: System, checkpoint_id: str = "CP-C03-017") -> str:
    await grid_known(system)  # a checkpoint of the grid, and the community of the service point SP-C03
    async with system.client("permits") as admin:
        found = await admin.get(f"/checkpoints/{checkpoint_id}/qr-code")
        assert found.status_code == 200, found.text
        assert found.json()["compound_id"] == checkpoint_id[3:]
        return found.json()["qr_code"]


async def test_three_channels_one_applicant_each_channel_recorded(system: System) -> None:
    holder, key = await registered_holder(system)
    code = await qr_code(system)
    async with system.client("permits", Role.COMMUNITY_OFFICER) as staff, system.client("permits", None) as anyone:
        at_window = await apply(staff, health_certificate(holder, channel="town_hall_window", service_point_id="W3"))
        at_point = await apply(staff, vehicle_pass(holder))
        online = await anyone.post("/online-applications", json=online_application(holder, key, code))
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
            code = await qr_code(system)
            body = online_application(holder, "0000-0000-0000-0000-0000", code)
            prefix, payload, sig = code.split(".")
            for bad in ("CP-C03-017", f"{prefix}.{payload[:-2]}AA.{sig}", ""):
                refused = await anyone.post("/online-applications", json={**body, "qr_code": bad})
                assert refused.status_code == 422, refused.text
                assert any("qr_code" in e["field"] for e in refused.json()["errors"])
        assert (await admin.get("/applications", params={"holder_id": holder})).json()["items"] == []
        assert (await admin.get("/checkpoints/not-a-checkpoint/qr-code")).status_code == 422


async def test_an_online_application_needs_the_holders_key_and_only_then_gets_the_code(system: System) -> None:
    """Knowing a resident's id (or name and ID number) is not enough to apply online in their name: the
    key on their registration slip is. A re-registration's new key replaces the earlier one."""
    holder, key = await registered_holder(system)
    other, other_key = await registered_holder(system)
    code = await qr_code(system)
    async with system.client("permits", None) as anyone:
        refusals = [await anyone.post("/online-applications", json=online_application(who, guess, code))
                    for who, guess in ((holder, other_key), (holder, "0000-0000-0000-0000-0000"),
                                       (resident_id(), key))]
        missing = await anyone.post("/online-applications", json={
            k: v for k, v in online_application(holder, key, code).items() if k != "holder_key"})
        shop = await anyone.post("/online-applications", json={
            **{k: v for k, v in business_reopening().items() if k not in ("channel", "service_point_id")},
            "qr_code": code, "holder_key": key})
        for refused in (*refusals, missing):
            assert refused.status_code == 422, refused.text
            named = [e["field"] for e in refused.json()["errors"]]
            assert len(named) == 1 and named[0].endswith("holder_key"), refused.text
        assert refusals[0].json()["detail"] == refusals[2].json()["detail"], "the same refusal for anyone"
        assert shop.status_code == 422 and "permit_type" in shop.text, "a business reopens at a counter"

        mine = await anyone.post("/online-applications", json=online_application(holder, key.lower().replace("-", ""),
                                                                               code))
        assert mine.status_code == 201, mine.text
    async with system.client("permits") as admin:
        listed = (await admin.get("/applications", params={"holder_id": holder})).json()["items"]
        assert [a["permit_id"] for a in listed] == [mine.json()["permit_id"]], "no application from the refusals"
    issued = await approve_all(system, mine.json()["permit_id"], [s["department"] for s in mine.json()["steps"]])
    assert issued["status"] == "issued" and "verification_code" not in issued
    assert (await holder_code(system, mine.json()["permit_id"], mine.json()["receipt"])).startswith("TGP1.")

    # Registered again (a lost slip): the new key works, the old one no longer.
    person = returnee("C03-017")
    async with system.client("registry") as registry:
        first = await registry.post("/residents", json=person)
        again = await registry.post("/residents", json=person)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    rid, old_key, new_key = first.json()["resident"]["resident_id"], first.json()["holder_key"], again.json()["holder_key"]
    assert new_key != old_key
    async with system.database("permits") as permits_db:
        async def rekeyed() -> bool:
            found = await permits_db["resident_places"].find_one({"_id": rid})
            return bool(found) and found.get("holder_key_sha256") == holder_key_hash(new_key)

        await eventually(rekeyed, timeout=60)
    async with system.client("permits", None) as anyone:
        stale = await anyone.post("/online-applications", json=online_application(rid, old_key, code))
        assert stale.status_code == 422 and "holder_key" in stale.text, stale.text
        fresh = await anyone.post("/online-applications", json=online_application(rid, new_key, code))
        assert fresh.status_code == 201, fresh.text


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
