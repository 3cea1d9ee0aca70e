"""The situation board on the real stack (issue 17): its figures come from the four services'
events and agree with the four services' own ``/figures``; a community's viewer sees their
community only; the stream pushes a change within seconds; a redelivered event is counted once."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from board_support import board_figures, change, disagreements, pairs, series, services_figures, settled_pairs
from delivery_support import PRICES, new_team, order_body, to_checkpoint, uid, wait_allowed
from e2e_support import System, eventually, produce_many
from grid_support import new_communities
from people import returnee
from permits_support import announced, business_reopening, health_certificate, issue
from towngrid_contracts.envelope import envelope_for
from towngrid_contracts.delivery import ReliefStockMoved
from towngrid_contracts.registry import FeverAlertRaised, ResidentReturned
from towngrid_kit.auth import Role

VIEWER = Role.BOARD_VIEWER


async def test_the_boards_figures_move_as_the_services_own(system: System) -> None:
    a, b = await new_communities(system, count=2, compounds=2)
    before = await settled_pairs(system)
    async with system.client("registry") as registry:
        ids = []
        for compound in (a.compounds[0], a.compounds[1], b.compounds[0]):
            made = await registry.post("/residents", json=returnee(compound))
            assert made.status_code == 201, made.text
            ids.append(made.json()["resident"]["resident_id"])
        for rid, kind in zip(ids[:2], ("home", "centralized"), strict=True):
            started = await registry.post(f"/residents/{rid}/quarantines",
                                          json={"kind": kind, "planned_end": "2030-01-01", "reason_code": "close_contact"})
            assert started.status_code == 201, started.text
        tip = await registry.post("/tips", json={"kind": "other", "channel": "hotline", "compound_id": b.compounds[0],
                                                 "description": "x"})
        assert tip.status_code == 201, tip.text
        cared = await registry.post(f"/residents/{ids[2]}/care", json={
            "category": "elderly_living_alone", "visit_every_days": 2, "relief_every_days": 7})
        assert cared.status_code == 201, cared.text
    await announced(system, ids[2])
    await issue(system, health_certificate(ids[2]))  # at a town hall window
    await _delivered(system, order_compound=a.compounds[0], relief_for=ids[2])

    wrong: dict[str, Any] = {}

    async def agreed() -> dict[str, Any] | None:
        nonlocal wrong
        board, services = await board_figures(system), await services_figures(system)
        wrong = disagreements(before, pairs(board, services))
        f = board["figures"]
        moved = (change(f["returnees_total"], before["returnees_total"][0]) == 3
                 and change(series(board, "permits_issued_by_type"), before["permits_issued_by_type"][0])
                 and change(f["merchants_open"], before["merchants_open"][0]) == 1
                 and change(f["orders_completed"], before["orders_completed"][0]) == 1
                 and change(f["relief_parcels_delivered"], before["relief_parcels_delivered"][0]) == 1)
        return board if moved and not wrong and board["lag"]["events_behind"] == 0 else None

    try:
        board = await eventually(agreed, timeout=60, interval=1)
    except AssertionError:
        raise AssertionError(f"the board and the services' own figures disagree: {wrong}") from None
    assert board["figures"]["returnees_total"] >= 3 and board["figures"]["permits_issued"] >= 1
    assert datetime.fromisoformat(board["last_event_at"]) <= datetime.now(UTC)

    mine = await board_figures(system, community=a.community_id)
    assert mine["scope"] == {"community": a.community_id, "compound": None}
    assert (mine["figures"]["returnees_total"], mine["figures"]["in_home_quarantine"],
            mine["figures"]["in_centralized_quarantine"], mine["figures"]["permits_issued"]) == (2, 1, 1, 0)
    assert [g["community"] for g in mine["grid"]] == [a.community_id]
    assert {c["id"]: c["status"] for c in mine["grid"][0]["compounds"]} == dict.fromkeys(a.compounds, "quarantine")
    theirs = await board_figures(system, community=b.community_id)
    assert (theirs["figures"]["returnees_total"], theirs["figures"]["tips_received"],
            theirs["figures"]["permits_issued"]) == (1, 1, 1)
    assert series(theirs, "permits_issued_by_channel") == {"town_hall_window": 1}
    assert (mine["figures"]["orders_placed"], mine["figures"]["orders_completed"]) == (1, 1)
    assert (theirs["figures"]["relief_parcels_issued"], theirs["figures"]["relief_parcels_delivered"]) == (1, 1)
    one = await board_figures(system, compound=a.compounds[1])
    assert one["scope"] == {"community": a.community_id, "compound": a.compounds[1]}
    assert one["figures"]["in_centralized_quarantine"] == 1 and one["figures"]["in_home_quarantine"] == 0


async def _delivered(system: System, order_compound: str, relief_for: str) -> None:
    """Through delivery's and permits' apis: a shop (of no community) reopened by its permit, an order
    to ``order_compound``'s checkpoint collected there, a relief parcel for the enrolled resident
    ``relief_for`` issued and delivered."""
    merchant_id = uid("mer")
    async with system.client("delivery") as delivery:
        made = await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "城关超市", "kind": "shop"})
        assert made.status_code == 201, made.text
        assert (await delivery.post(f"/merchants/{merchant_id}/price-lists", json={"items": PRICES})).status_code == 201
        await issue(system, business_reopening(merchant_id))
        await wait_allowed(delivery, merchant_id, True)
        placed = await delivery.post("/orders", json=order_body(merchant_id, compound_id=order_compound))
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        await to_checkpoint(delivery, order_id, await new_team(delivery))
        collected = await delivery.post(f"/orders/{order_id}/collect", json={"code": placed.json()["handover_code"]})
        assert collected.status_code == 200, collected.text

        async def entitled() -> bool:
            return (await delivery.get(f"/relief-recipients/{relief_for}")).status_code == 200

        await eventually(entitled, timeout=60, interval=0.5)
        item = f"rice_{uid('x')[-8:]}"
        assert (await delivery.post("/relief-stock/receipts", json={"items": {item: 1}})).status_code == 201
        parcel = await delivery.post("/relief-parcels", json={"resident_id": relief_for, "contents": {item: 1}})
        assert parcel.status_code == 201, parcel.text
        delivered = await delivery.post(f"/relief-parcels/{parcel.json()['parcel_id']}/deliver")
        assert delivered.status_code == 200, delivered.text


async def test_a_community_viewer_sees_their_community_only(system: System) -> None:
    a, b = await new_communities(system, count=2, compounds=1)
    await eventually(lambda: _grid_has(system, b.compounds[0]))
    async with system.client("board", role=VIEWER, scope=f"community:{a.community_id}") as secretary:
        own = await secretary.get("/api/figures")
        assert own.status_code == 200, own.text
        assert own.json()["scope"]["community"] == a.community_id
        assert [g["community"] for g in own.json()["grid"]] == [a.community_id]
        assert (await secretary.get("/api/figures", params={"compound": a.compounds[0]})).status_code == 200
        for params in ({"community": b.community_id}, {"compound": b.compounds[0]}, {"compound": "NO-SUCH-1"},
                       {"community": a.community_id, "compound": b.compounds[0]}):
            refused = await secretary.get("/api/figures", params=params)
            assert refused.status_code == 403, (params, refused.text)
            assert b.community_id not in refused.text and b.compounds[0] not in refused.text
            assert (await secretary.get("/api/stream", params=params)).status_code == 403
    async with system.client("board", role=None) as anonymous:
        assert (await anonymous.get("/api/figures")).status_code == 401
    async with system.client("board", role=Role.COMMUNITY_OFFICER) as officer:
        assert (await officer.get("/api/figures")).status_code == 403
    async with system.client("board", role=None) as anonymous:
        refused = await anonymous.post("/api/session", json={"token": system.token(Role.MERCHANT)})
        assert refused.status_code == 403
        assert (await anonymous.post("/api/session", json={"token": "not-a-token"})).status_code == 401


async def _grid_has(system: System, compound: str) -> bool:
    figures = await board_figures(system)
    return any(c["id"] == compound for g in figures["grid"] for c in g["compounds"])


async def _figures_events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    event = None
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "figures":
            yield json.loads(line.removeprefix("data: "))


async def test_the_stream_pushes_a_new_event_within_seconds_with_the_session_cookie(system: System) -> None:
    (a,) = await new_communities(system, count=1, compounds=1)
    await eventually(lambda: _grid_has(system, a.compounds[0]))
    async with system.client("board", role=None) as browser:  # the page's EventSource: a cookie, no header
        opened = await browser.post("/api/session", json={
            "token": system.token(VIEWER, f"community:{a.community_id}", "secretary-a")})
        assert opened.status_code == 200, opened.text
        assert "httponly" in opened.headers["set-cookie"].lower()
        async with browser.stream("GET", "/api/stream") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _figures_events(response)
            first = await asyncio.wait_for(anext(events), timeout=15)
            assert first["scope"]["community"] == a.community_id
            assert first["figures"]["returnees_total"] == 0
            async with system.client("registry") as registry:
                made = await registry.post("/residents", json=returnee(a.compounds[0]))
                assert made.status_code == 201, made.text
            posted = time.monotonic()

            async def until_counted() -> dict[str, Any]:
                async for payload in events:
                    if payload["figures"]["returnees_total"] == 1:
                        return payload
                raise AssertionError("the stream ended")

            pushed = await asyncio.wait_for(until_counted(), timeout=20)
            assert time.monotonic() - posted < 20
            assert pushed["grid"][0]["community"] == a.community_id
        closed = await browser.delete("/api/session")
        assert closed.status_code == 204
        assert (await browser.get("/api/figures")).status_code == 401  # the cookie is gone


async def test_a_redelivered_event_is_counted_once(system: System) -> None:
    (a,) = await new_communities(system, count=1, compounds=1)
    compound = a.compounds[0]
    resident = f"res_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    returned = ResidentReturned(resident_id=resident, household_id=f"hh_{uuid.uuid4().hex}", compound_id=compound,
                                origin_province="CN-HB", origin_city="420100", from_risk_area=False,
                                travel_mode="train", arrived_on=now.date(), re_registration=False)
    fever = FeverAlertRaised(resident_id=resident, quarantine_id=f"qua_{uuid.uuid4().hex}", check_id="chk_1",
                             temperature_c=38.4, checked_at=now)
    first = envelope_for(returned, aggregate_id=resident, aggregate_version=1)
    alert = envelope_for(fever, aggregate_id=resident, aggregate_version=2)
    messages = [(e.key, e.model_dump_json().encode()) for e in (first, alert)]
    await produce_many(system.kafka, returned.topic, messages)
    await produce_many(system.kafka, returned.topic, messages[1:])  # as a relay that crashed before marking it sent

    async def settled() -> dict[str, Any] | None:
        figures = await board_figures(system, compound=compound)
        counted = figures["figures"]["returnees_total"] and figures["figures"]["fever_alerts_today"]
        return figures if counted and figures["lag"]["events_behind"] == 0 else None

    await eventually(settled, timeout=30, interval=0.5)
    await asyncio.sleep(2)  # past a refresh or two: a second count would show by now
    figures = (await board_figures(system, compound=compound))["figures"]
    assert (figures["returnees_total"], figures["fever_alerts_today"]) == (1, 1)
    async with system.database("board") as db:
        state = await db["states"].find_one({"_id": f"resident:{resident}"})
    assert state["version"] == 2


async def test_a_redelivered_stock_movement_is_counted_once(system: System) -> None:
    """A depot's movements as delivery's relay would publish them, the last two again (a relay
    that crashed before marking them sent): the board counts each once, by the depot's number.
    (The depot ends empty, so the town's stock on hand stays the services' own.)"""
    depot, item = f"depot_{uuid.uuid4().hex[:12]}", f"rice_{uuid.uuid4().hex[:12]}"
    now = datetime.now(UTC)
    moves = [ReliefStockMoved(depot_id=depot, seq=1, movement="receipt", items={item: 7}, balance={item: 7},
                              moved_by="stf_1", moved_at=now)]
    for seq, (qty, left) in enumerate(((3, 4), (4, 0)), start=2):
        moves.append(ReliefStockMoved(depot_id=depot, seq=seq, movement="issue", items={item: qty},
                                      balance={item: left}, parcel_id=f"rp_{uuid.uuid4().hex}", moved_by="stf_1",
                                      moved_at=now))
    envelopes = [envelope_for(m, aggregate_id=depot, aggregate_version=m.seq) for m in moves]
    messages = [(e.key, e.model_dump_json().encode()) for e in envelopes]
    await produce_many(system.kafka, moves[0].topic, messages)
    await produce_many(system.kafka, moves[0].topic, messages[1:])

    async def settled() -> dict[str, Any] | None:
        board = await board_figures(system)
        counted = series(board, "relief_stock_by_item").get(f"{item}/issued", 0) >= 7
        return board if counted and board["lag"]["events_behind"] == 0 else None

    await eventually(settled, timeout=30, interval=0.5)
    await asyncio.sleep(2)  # past a refresh or two: a second count would show by now
    board = await board_figures(system)
    assert (series(board, "relief_stock_received_by_item")[item], series(board, "relief_stock_on_hand_by_item")[item],
            series(board, "relief_stock_by_item")[f"{item}/issued"]) == (7, 0, 7)
    async with system.database("board") as db:
        state = await db["states"].find_one({"_id": f"stock:{depot}"})
    assert (state["version"], state["state"]["parcels"]) == (3, 2)
