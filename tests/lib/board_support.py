"""The situation board beside the services' own figures (tests of the board and of the scenario)."""

from __future__ import annotations

from typing import Any

from e2e_support import System, eventually
from towngrid_kit.auth import Role

VIEWER = Role.BOARD_VIEWER


def series(payload: dict[str, Any], name: str) -> dict[str, float]:
    return {item["key"]: item["value"] for item in payload["series"].get(name, [])}


async def board_figures(system: System, **params: str) -> dict[str, Any]:
    async with system.client("board", role=VIEWER) as board:
        got = await board.get("/api/figures", params=params)
    assert got.status_code == 200, got.text
    return got.json()


async def services_figures(system: System) -> dict[str, dict[str, Any]]:
    found = {}
    for service in ("registry", "permits", "delivery", "labor"):
        async with system.client(service) as client:
            got = await client.get("/figures")
        assert got.status_code == 200, got.text
        found[service] = got.json()
    return found


BOARD_ORDER_STATUS = {"at_checkpoint": "handed_to_checkpoint"}  # the board's name of an order's status -> delivery's


def orders_by_status(board: dict[str, Any]) -> dict[str, float]:
    """The board's orders by status, named as delivery names them."""
    return {BOARD_ORDER_STATUS.get(k, k): v for k, v in series(board, "orders_by_status").items()}


def pairs(board: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    """Each board figure beside the service's own."""
    f, registry, permits, labor = board["figures"], services["registry"], services["permits"], services["labor"]
    delivery = services["delivery"]
    return {
        "returnees_total": (f["returnees_total"], registry["returnees_registered_total"]),
        "returnees_per_day": (series(board, "returnees_per_day"), registry["returnees_registered_per_day"]),
        "in_home_quarantine": (f["in_home_quarantine"], registry["in_home_quarantine"]),
        "in_centralized_quarantine": (f["in_centralized_quarantine"], registry["in_centralized_quarantine"]),
        "tips_open": (f["tips_open"], registry["tips_open"]),
        "vulnerable_enrolled": (f["vulnerable_enrolled"], registry["vulnerable_enrolled"]),
        "left_town": (f["left_town"], registry["left_town"]),
        "checkpoints_with_gaps": (f["checkpoints_with_gaps"], registry["checkpoints_with_coverage_gaps"]),
        "missed_checks_open": (f["missed_checks_open"], registry["daily_checks_missed_in_open_quarantines"]),
        "permits_applied": (f["permits_applied"], sum(permits["applications_by_type"].values())),
        "permits_applied_by_channel": (series(board, "permits_applied_by_channel"), permits["applications_by_channel"]),
        "permits_issued_by_type": (series(board, "permits_issued_by_type"), permits["issued_by_type"]),
        "merchants_registered": (f["merchants_registered"], delivery["merchants_registered"]),
        "merchants_open": (f["merchants_open"], delivery["merchants_open"]),
        "orders_placed": (f["orders_placed"], delivery["orders_placed"]),
        "orders_by_status": (orders_by_status(board), delivery["orders_by_status"]),
        "orders_completed": (f["orders_completed"], delivery["orders_completed"]),
        "relief_parcels_issued": (f["relief_parcels_issued"], delivery["relief_parcels_issued"]),
        "relief_parcels_delivered": (f["relief_parcels_delivered"], delivery["relief_parcels_delivered"]),
        "workers_matched": (f["workers_matched"], labor["workers_matched"]),
        "workers_dispatched_by_province": (series(board, "workers_dispatched_by_province"),
                                           labor["dispatched_by_province"]),
        "enterprises_resumed": (f["enterprises_resumed"], labor["enterprises_resumed"]),
        "relief_stock_on_hand_by_item": (series(board, "relief_stock_on_hand_by_item"),
                                         delivery["relief_stock"]),
    }


def change(after: Any, before: Any) -> Any:
    """How a figure moved: a number's difference, or a series' differences by key (zeros left out)."""
    if isinstance(after, dict):
        keys = set(after) | set(before)
        return {k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)}
    return after - before


def disagreements(before: dict[str, tuple[Any, Any]], after: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """Each figure on which the board and the service's own disagree, both in total and in how it
    moved since ``before``; empty when they all agree. (A move alone may agree where totals do not:
    other tests of the suite write events straight onto the topics, which the board counts and the
    services' own figures never see.)"""
    wrong = {}
    for name, (board, service) in after.items():
        moves = (change(board, before[name][0]), change(service, before[name][1]))
        if board != service and moves[0] != moves[1]:
            wrong[name] = {"totals": (board, service), "moves": moves}
    return wrong


async def settled_pairs(system: System) -> dict[str, tuple[Any, Any]]:
    """The pairs once the board has caught up with the topics and the services' own figures have
    stopped moving (two reads two seconds apart alike): what earlier tests sent is counted on both."""
    last: dict[str, tuple[Any, Any]] | None = None

    async def settled() -> dict[str, tuple[Any, Any]] | None:
        nonlocal last
        board = await board_figures(system)
        now = pairs(board, await services_figures(system))
        still, last = now == last and board["lag"]["events_behind"] == 0, now
        return now if still else None

    return await eventually(settled, timeout=90, interval=2)
