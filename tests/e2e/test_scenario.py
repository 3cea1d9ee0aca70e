"""The Chengguan scenario at a small scale on the test stack: the services' figures move by exactly
what the scenario planned, the situation board's move as the services' own, and playing it again (a
resumed run: the same keys) doubles nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from board_support import board_figures, disagreements, pairs, services_figures, settled_pairs
from e2e_support import System, eventually
from towngrid_devstack.services import SERVICES
from towngrid_kit.auth import Role
from towngrid_scenario.client import Who
from towngrid_scenario.figures import add
from towngrid_scenario.run import play


@pytest.mark.timeout(1200)
async def test_the_small_town_plays_to_the_planned_figures_and_a_second_run_doubles_nothing(
        system: System, tmp_path: Path) -> None:
    urls = {name: system.services[name].url for name in SERVICES}

    def mint(who: Who) -> str:
        return system.token(Role(who.role), who.scope, who.subject, who.department, who.org)

    board_before = await settled_pairs(system)
    board_start = (await board_figures(system))["figures"]
    first = await play(urls, mint, seed=2020, scale=0.05, state=tmp_path)
    planned = first.plan.expected()
    assert first.planned == planned
    assert planned["permits"]["issued_by_type.health_certificate"] == round(6032 * 0.05)
    assert planned["permits"]["issued_by_type.vehicle_pass"] == round(1337 * 0.05)
    assert first.found == add(first.baseline, planned), first.mismatches

    async def board_agrees() -> bool:
        board = await board_figures(system)
        moved = board["figures"]["returnees_total"] - board_before["returnees_total"][0]
        return (moved == planned["registry"]["returnees_registered_total"] and board["lag"]["events_behind"] == 0
                and not disagreements(board_before, pairs(board, await services_figures(system))))

    await eventually(board_agrees, timeout=120, interval=1)
    relief = {"relief_parcels_issued": planned["delivery"]["relief_parcels_issued"],
              "relief_parcels_delivered": planned["delivery"]["relief_parcels_issued"],
              "relief_stock_parcels_issued": planned["delivery"]["relief_parcels_issued"],
              "relief_stock_received": sum(first.plan.relief_received().values()),
              "relief_stock_on_hand": sum(first.plan.relief_on_hand().values())}
    assert relief["relief_parcels_issued"] == round(68 * 0.05)

    async def relief_counted() -> dict[str, int] | None:  # the board's relief figures moved by the plan's
        board = (await board_figures(system))["figures"]
        moved = {name: board[name] - board_start[name] for name in relief}
        return moved if moved == relief else None

    await eventually(relief_counted, timeout=60, interval=1)

    again = await play(urls, mint, seed=2020, scale=0.05, state=tmp_path)
    assert again.baseline == first.baseline  # the resumed run compares with the figures before the first
    assert again.found == first.found, again.mismatches
