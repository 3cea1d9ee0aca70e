"""How a caller's token limits what it sees and changes in delivery (issue 8).

- Grid scope: an order lies in its household's compound, a pickup point in its checkpoint's
  compound, a relief recipient and parcel in the household's compound, a team in its community.
  Compound → community comes from the registry's grid events (``GridDirectory``). A community
  officer acts only in their community, a compound volunteer only in their compound; lists are
  filtered to the scope. A compound the grid has not announced lies in no community: only a
  town-wide token or that compound's volunteer reaches it. The grid rules every service shares
  (``ensure_place``, ``ensure_compound``, ``grid_filter``) are the kit's (``towngrid_kit.grid``);
  here are delivery's own: orders, teams, merchants.
- Organisation: a merchant's token (``org`` claim) acts only for its own shop: its price lists
  and the orders placed with it.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from towngrid_kit.auth import Principal, Role, ensure_own_organisation
from towngrid_kit.grid import GridDirectory, ensure_compound

from delivery.domain.order import Order


def ensure_own_merchant(principal: Principal, merchant_id: str) -> None:
    """A merchant's token (its ``org`` claim names its merchant id) acts for that merchant only."""
    if principal.role == Role.MERCHANT:
        ensure_own_organisation(principal, merchant_id, f"merchant {merchant_id}")


async def ensure_order(principal: Principal, grid: GridDirectory, order: Order) -> None:
    """A merchant: an order placed with its own shop; staff: an order for a household in their scope."""
    if principal.role == Role.MERCHANT:
        ensure_own_organisation(principal, order.merchant_id, f"order {order.order_id}")
    else:
        await ensure_compound(principal, grid, order.compound_id)


async def ensure_team(principal: Principal, grid: GridDirectory, team: dict[str, Any]) -> None:
    """A team serves one community: its officer, and the volunteers of its compounds, reach it."""
    scope = principal.grid
    if scope.whole_town:
        return
    community = scope.community if scope.compound is None else await grid.community_of(scope.compound)
    if community != team["community_id"]:
        raise HTTPException(403, f"outside your scope ({principal.scope}): team {team.get('team_id')} "
                                 f"serves community {team['community_id']}")
