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

from towngrid_kit.auth import Principal, Role, ensure_own_organisation
from towngrid_kit.errors import NotFound

from towngrid_kit.grid import GridDirectory, ensure_compound


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


async def ensure_resident(principal: Principal, grid: GridDirectory, known: dict[str, Any] | None,
                          resident_id: str) -> None:
    """A resident (as labor knows them from the registry's events) inside the caller's grid scope."""
    if principal.grid.whole_town:
        return
    if known is None:
        raise NotFound(f"resident {resident_id} is not known from the registry's events")
    await ensure_compound(principal, grid, known.get("compound_id"))
