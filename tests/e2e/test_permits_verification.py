"""Verification codes on the real stack: offline with the public key, online (public: valid / not_valid
only; checkpoint staff with a token: the detailed status), forged and altered codes refused,
revocation and expiry on time. Only the holder's own channel shows a code: no staff view or list does."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from e2e_support import System, eventually, events_with, read_topic
from permits_support import PERMIT_TOPIC, health_certificate, iso, issue, registered, reviewer, vehicle_pass
from towngrid_kit.auth import Role


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_code_verifies_offline_and_online_and_forgeries_are_refused(system: System) -> None:
    permit = await issue(system, health_certificate())
    code = permit["verification_code"]
    async with system.client("permits", None) as checkpoint:
        key = (await checkpoint.get("/verification-key")).json()
        assert key["algorithm"] == "Ed25519"

        # Offline: the checkpoint needs only the public key.
        prefix, payload, sig = code.split(".")
        Ed25519PublicKey.from_public_bytes(unb64(key["public_key_raw_b64url"])).verify(
            unb64(sig), f"{prefix}.{payload}".encode())
        claims = json.loads(unb64(payload))
        assert claims["p"] == permit["permit_id"] and claims["t"] == "health_certificate"
        assert set(claims) == {"p", "t", "f", "u"}

        online = await checkpoint.post("/verify", json={"code": code})
        assert online.status_code == 200, online.text
        assert online.json()["status"] == "valid" and online.json()["permit_id"] == permit["permit_id"]
        assert online.json()["detailed"] is False

        longer = b64(json.dumps({**claims, "u": claims["u"] + 86400 * 365}, separators=(",", ":")).encode())
        forged_key = Ed25519PrivateKey.generate()
        forged_body = f"TGP1.{payload}"
        forged = f"{forged_body}.{b64(forged_key.sign(forged_body.encode()))}"
        for bad in (f"{prefix}.{longer}.{sig}", forged, code[:-3] + "AAA", "hello", f"TGQ1.{payload}.{sig}"):
            refused = await checkpoint.post("/verify", json={"code": bad})
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "body.code"
        missing = await checkpoint.post("/verify", json={})
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.code"


async def test_no_staff_view_or_list_carries_the_holders_code(system: System) -> None:
    holder = await registered(system, "C03-017")
    permit = await issue(system, vehicle_pass(holder))
    pid, code = permit["permit_id"], permit["verification_code"]
    assert code and code.startswith("TGP1."), "the holder's own channel (status with the receipt) shows it"
    seen = []
    async with system.client("permits") as admin, \
            system.client("permits", Role.COMMUNITY_OFFICER, "community:C03", "officer-c03") as officer, \
            system.client("permits", Role.COMPOUND_VOLUNTEER, "compound:C03-017", "volunteer") as checkpoint, \
            reviewer(system, permit["steps"][0]["department"]) as review:
        for client in (admin, officer, review):
            seen += [await client.get(f"/applications/{pid}"),
                     await client.get("/applications", params={"holder_id": holder}),
                     await client.get("/applications", params={"status": "issued", "limit": 200})]
        assert (await checkpoint.get("/applications")).status_code == 403, "a checkpoint lists no permits"
        seen.append(await checkpoint.post("/verify", json={"code": code}))
        seen.append(await admin.post(f"/permits/{pid}/suspend", json={"reason_code": "under_investigation"}))
        seen.append(await admin.post(f"/permits/{pid}/lift-suspension", json={"reason_code": "investigation_closed"}))
        seen.append(await admin.post(f"/permits/{pid}/revoke", json={"reason": "fraud"}))
    assert [r.status_code for r in seen] == [200] * len(seen), [r.text for r in seen if r.status_code != 200]
    assert any(pid in r.text for r in seen[1:9:3]), "the lists do show the permit"
    for answer in seen:
        assert code not in answer.text and "verification_code" not in answer.text, answer.request.url


async def test_revoked_permit_verifies_as_revoked(system: System) -> None:
    permit = await issue(system, health_certificate())
    async with system.client("permits") as admin:
        bad = await admin.post(f"/permits/{permit['permit_id']}/revoke", json={"reason": "because"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.reason_code"
        revoked = await admin.post(f"/permits/{permit['permit_id']}/revoke",
                                   json={"reason": "fraud", "note": "forged employer letter"})
        assert revoked.status_code == 200 and revoked.json()["revocation"]["by"] == "test-admin"
        again = await admin.post(f"/permits/{permit['permit_id']}/revoke", json={"reason": "fraud"})
        assert again.status_code == 409
        found = await admin.post("/verify", json={"code": permit["verification_code"]})
        assert found.json()["status"] == "revoked" and found.json()["detailed"] is True
    async with system.client("permits", None) as anyone:
        public = await anyone.post("/verify", json={"code": permit["verification_code"]})
        assert public.json()["status"] == "not_valid" and public.json()["detailed"] is False, public.text
    records = await read_topic(system.kafka, PERMIT_TOPIC, until=lambda rs: bool(
        events_with(rs, aggregate_id=permit["permit_id"], event_type="permits.permit.revoked")))
    event = events_with(records, aggregate_id=permit["permit_id"], event_type="permits.permit.revoked")[0]
    assert event["data"]["reason"] == "fraud" and event["data"]["revoked_by"] == "test-admin"
    assert event["data"]["decided_by"] == "test-admin" and event["data"]["reason_code"] == "fraud"
    assert "forged" not in str(event), "the free-text note stays in the permits service"


async def test_permit_expires_on_time(system: System) -> None:
    permit = await issue(system, vehicle_pass(valid_until=iso(timedelta(seconds=20))))
    assert permit["status"] == "issued"
    code = permit["verification_code"]
    async with system.client("permits", None) as checkpoint:
        assert (await checkpoint.post("/verify", json={"code": code})).json()["status"] == "valid"
    records = await read_topic(system.kafka, PERMIT_TOPIC, timeout=60, until=lambda rs: bool(
        events_with(rs, aggregate_id=permit["permit_id"], event_type="permits.permit.expired")))
    assert events_with(records, aggregate_id=permit["permit_id"], event_type="permits.permit.expired")
    async with system.client("permits") as admin:
        async def expired() -> bool:
            return (await admin.get(f"/applications/{permit['permit_id']}")).json()["status"] == "expired"

        await eventually(expired)
        assert (await admin.post("/verify", json={"code": code})).json()["status"] == "expired"
    async with system.client("permits", None) as anyone:
        assert (await anyone.post("/verify", json={"code": code})).json()["status"] == "not_valid"
    async with system.client("permits") as admin:
        assert (await admin.post(f"/permits/{permit['permit_id']}/revoke", json={"reason": "fraud"})).status_code == 409
