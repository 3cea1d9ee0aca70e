"""How a caller's token limits what it sees and changes in labor (issue 8).

- Organisation: an employer liaison's token (``org`` claim) acts only for its own enterprise:
  the employer, its demands (candidates, matches), its batches, its resumption case, and the job
  seekers matched to it (with their eligibility). Town staff are not limited by organisation.
- Grid scope: a job seeker, a resident's eligibility and a batch's workers lie in the resident's
  compound (from the registry's resident events), compound → community from the registry's grid
  events. A community officer sees only their community's residents: their job seeking, their
  eligibility, and the batches that carry them (with only their own residents shown). Lists are
  filtered. A compound the grid has not announced lies in no community (town-wide tokens only).
"""

from __future__ import annotations

from typing import Any

from towngrid_kit.auth import Principal, Role, ensure_in_scope, ensure_own_organisation
from towngrid_kit.errors import NotFound

from labor.adapters.grid import GridDirectory


def is_liaison(principal: Principal) -> bool:
    return principal.role == Role.EMPLOYER_LIAISON


def ensure_own_enterprise(principal: Principal, enterprise_id: str | None, what: str) -> None:
    if is_liaison(principal):
        ensure_own_organisation(principal, enterprise_id, what)


def enterprise_filter(principal: Principal, field: str = "enterprise_id") -> dict[str, Any] | None:
    """List conditions for the caller's organisation; None: a liaison's token with no organisation sees nothing."""
    if not is_liaison(principal):
        return {}
    return None if principal.organisation is None else {field: principal.organisation}


async def ensure_compound(principal: Principal, grid: GridDirectory, compound_id: str | None) -> None:
    if not principal.grid.whole_town:
        ensure_in_scope(principal, community=await grid.community_of(compound_id), compound=compound_id)


async def compounds_in_scope(principal: Principal, grid: GridDirectory) -> list[str] | None:
    """The compounds the caller's lists may show: None for the whole town."""
    scope = principal.grid
    if scope.whole_town:
        return None
    if scope.compound is not None:
        return [scope.compound]
    assert scope.community is not None
    return await grid.compounds_of(scope.community)


async def grid_filter(principal: Principal, grid: GridDirectory, field: str = "compound_id") -> dict[str, Any]:
    compounds = await compounds_in_scope(principal, grid)
    return {} if compounds is None else {field: {"$in": compounds}}


async def ensure_resident(principal: Principal, grid: GridDirectory, known: dict[str, Any] | None,
                          resident_id: str) -> None:
    """A resident (as labor knows them from the registry's events) inside the caller's grid scope."""
    if principal.grid.whole_town:
        return
    if known is None:
        raise NotFound(f"resident {resident_id} is not known from the registry's events")
    await ensure_compound(principal, grid, known.get("compound_id"))
