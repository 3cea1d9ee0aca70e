"""The scope rules of delivery's api against an in-memory grid (no stack)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import HTTPException

from delivery.domain.order import Order
from delivery.entrypoints.scope import ensure_order, ensure_team
from scope_support import MemoryGrid, who
from towngrid_kit.auth import Role
from towngrid_kit.grid import compounds_in_scope, grid_filter

GRID = {"A-1": "A", "A-2": "A", "B-1": "B"}


def order(compound_id: str, merchant_id: str = "mer_1") -> Order:
    return Order(order_id="ord_1", household_id="hh_1", compound_id=compound_id, merchant_id=merchant_id,
                 channel="hotline", placed_by="staff", destination="checkpoint", checkpoint_id=f"CP-{compound_id}",
                 lines=[], status="placed", placed_at=datetime.now(UTC))


async def refused(check) -> int:  # noqa: ANN001
    with pytest.raises(HTTPException) as error:
        await check
    return error.value.status_code


async def test_orders_are_reached_by_their_compound_or_their_merchant() -> None:
    grid = MemoryGrid(GRID)
    await ensure_order(who(Role.COMMUNITY_OFFICER, "community:A"), grid, order("A-2"))
    await ensure_order(who(Role.COMPOUND_VOLUNTEER, "compound:A-1"), grid, order("A-1"))
    await ensure_order(who(Role.MERCHANT, org="mer_1"), grid, order("B-1"))
    assert await refused(ensure_order(who(Role.COMMUNITY_OFFICER, "community:B"), grid, order("A-1"))) == 403
    assert await refused(ensure_order(who(Role.COMPOUND_VOLUNTEER, "compound:A-2"), grid, order("A-1"))) == 403
    assert await refused(ensure_order(who(Role.MERCHANT, org="mer_2"), grid, order("A-1"))) == 403
    assert await refused(ensure_order(who(Role.MERCHANT), grid, order("A-1"))) == 403
    # a compound the grid never announced lies in no community: only its own volunteer reaches it
    assert await refused(ensure_order(who(Role.COMMUNITY_OFFICER, "community:A"), grid, order("Z-9"))) == 403
    await ensure_order(who(Role.COMPOUND_VOLUNTEER, "compound:Z-9"), grid, order("Z-9"))


async def test_teams_belong_to_a_community_and_lists_are_filtered_to_the_scope() -> None:
    grid = MemoryGrid(GRID)
    team = {"team_id": "team_1", "community_id": "A"}
    await ensure_team(who(Role.COMPOUND_VOLUNTEER, "compound:A-2"), grid, team)
    await ensure_team(who(Role.TOWN_ADMIN), grid, team)
    assert await refused(ensure_team(who(Role.COMPOUND_VOLUNTEER, "compound:B-1"), grid, team)) == 403
    assert await refused(ensure_team(who(Role.COMMUNITY_OFFICER, "community:B"), grid, team)) == 403
    assert await compounds_in_scope(who(Role.TOWN_ADMIN), grid) is None
    assert sorted(await compounds_in_scope(who(Role.COMMUNITY_OFFICER, "community:A"), grid)) == ["A-1", "A-2"]
    assert await grid_filter(who(Role.COMPOUND_VOLUNTEER, "compound:B-1"), grid) == {"compound_id": {"$in": ["B-1"]}}
    assert await grid_filter(who(Role.TOWN_ADMIN), grid) == {}
