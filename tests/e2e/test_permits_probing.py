"""Where an application lies, on the real stack (issue 16): the holder's own place, the grid's
service points and checkpoints; a scoped caller learns nothing about another community's residents.

An application for a resident the registry has announced (``ResidentReturned``, projected by the
permits worker) lies in the holder's compound and community, whatever the counter names. A
community service point is ``SP-<community>`` for a community of the grid and takes applications
of that community's residents only; an online application lies at the checkpoint of the grid
whose QR code was scanned, whatever its compound id looks like.
"""

from __future__ import annotations

import uuid

import httpx

from e2e_support import System, eventually
from people import quarantine_order
from permits_support import (apply, business_reopening, grid_known, health_certificate, known_in_quarantine, registered,
                             registered_holder, resident_id, vehicle_pass)
from towngrid_kit.auth import Role

C03, C05 = "C03-017", "C05-001"  # compounds of communities C03 and C05


def officer(system: System, scope: str) -> httpx.AsyncClient:
    return system.client("permits", Role.COMMUNITY_OFFICER, scope=scope, subject=f"officer-{scope}")


async def quarantined(system: System, compound_id: str) -> str:
    """A resident of ``compound_id`` in quarantine, as the permits worker knows it."""
    resident = await registered(system, compound_id)
    async with system.client("registry") as registry:
        started = await registry.post(f"/residents/{resident}/quarantines", json=quarantine_order())
        assert started.status_code == 201, started.text
    await known_in_quarantine(system, resident)
    return resident


async def held_by(client: httpx.AsyncClient, holder: str) -> list[dict]:
    found = await client.get("/applications", params={"holder_id": holder, "limit": 200})
    assert found.status_code == 200, found.text
    return found.json()["items"]


async def test_another_communitys_quarantine_does_not_show_through_an_application(system: System) -> None:
    await grid_known(system)
    theirs = await quarantined(system, C05)
    async with officer(system, "community:C03") as c03, officer(system, f"compound:{C03}") as gate, \
            officer(system, "community:C05") as c05, system.client("permits") as admin:
        for client, body in ((c03, health_certificate(theirs, compound_id=C03)),
                             (c03, health_certificate(theirs, compound_id=C03, channel="community_service_point",
                                                      service_point_id="SP-C03")),
                             (c03, vehicle_pass(theirs)),
                             (gate, health_certificate(theirs, compound_id=C03, service_point_id="W1"))):
            refused = await client.post("/applications", json=body)
            assert refused.status_code == 403, refused.text
            assert "C05" not in refused.text and theirs not in refused.text and "quarantine" not in refused.text
        assert await held_by(admin, theirs) == [], "nothing stored from the refused applications"

        # In scope: the holder's own place, whatever the counter names; a contradiction is refused.
        contradicted = await c05.post("/applications", json=health_certificate(theirs, compound_id="C05-002"))
        assert contradicted.status_code == 422, contradicted.text
        assert contradicted.json()["errors"][0]["field"] == "body.compound_id"
        at_window = await apply(admin, health_certificate(theirs))
        assert (at_window["compound_id"], at_window["community_id"]) == (C05, "C05")
        assert at_window["status"] == "rejected"  # the holder is in quarantine: told to staff in scope only
        named = await apply(c05, health_certificate(theirs, compound_id=C05, service_point_id="W1"))
        assert (named["compound_id"], named["community_id"]) == (C05, "C05")
        assert (await c03.get(f"/applications/{at_window['permit_id']}")).status_code == 403


async def test_a_service_point_takes_its_own_communitys_residents_only(system: System) -> None:
    await grid_known(system)
    holder = await registered(system, C05)
    async with system.client("permits") as admin:
        elsewhere = await admin.post("/applications", json=vehicle_pass(holder))  # SP-C03
        assert elsewhere.status_code == 422, elsewhere.text
        assert elsewhere.json()["errors"][0]["field"] == "body.service_point_id"
        own = await apply(admin, vehicle_pass(holder, service_point_id="SP-C05"))
        assert (own["compound_id"], own["community_id"]) == (C05, "C05")
        for unknown in ("SP-C99", "SP-", "C03", "SP-C03-017"):
            refused = await admin.post("/applications", json=business_reopening(
                channel="community_service_point", service_point_id=unknown))
            assert refused.status_code == 422, (unknown, refused.text)
            assert refused.json()["errors"][0]["field"] == "body.service_point_id"
        assert [a["permit_id"] for a in await held_by(admin, holder)] == [own["permit_id"]]


async def test_service_points_and_checkpoints_are_those_of_the_grid(system: System) -> None:
    """A community and compound registered now, with ids unlike the town file's, have a service
    point and a checkpoint at once; a checkpoint id shaped like the file's but not in the grid has none."""
    community = f"PX{uuid.uuid4().hex[:8]}"
    compound = f"{community}-garden"
    holder, key = await registered_holder(system)
    async with system.client("registry") as registry:
        for path, body in (("/grid/communities", {"community_id": community, "name": "新社区"}),
                           ("/grid/compounds", {"compound_id": compound, "community_id": community, "name": "花园"})):
            created = await registry.post(path, json=body)
            assert created.status_code == 201, created.text
    async with system.client("permits") as admin, system.client("permits", None) as anyone:
        async def projected() -> httpx.Response | None:
            found = await admin.get(f"/checkpoints/CP-{compound}/qr-code")
            return found if found.status_code == 200 else None

        poster = (await eventually(projected, timeout=60)).json()
        assert poster["compound_id"] == compound
        online = await anyone.post("/online-applications", json={
            "qr_code": poster["qr_code"], "permit_type": "health_certificate", "holder_resident_id": holder,
            "purpose": "work", "holder_key": key})
        assert online.status_code == 201, online.text
        stored = await admin.get(f"/applications/{online.json()['permit_id']}")
        assert (stored.json()["compound_id"], stored.json()["community_id"]) == (compound, community)
        merchant = await apply(admin, business_reopening(channel="community_service_point",
                                                         service_point_id=f"SP-{community}"))
        assert (merchant["compound_id"], merchant["community_id"]) == (None, community)

        unknown = await admin.get("/checkpoints/CP-C99-999/qr-code")
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "path.checkpoint_id"
