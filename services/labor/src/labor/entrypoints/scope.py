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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from towngrid_kit.auth import Principal, Role, ensure_own_organisation
from towngrid_kit.errors import NotFound

from towngrid_kit.grid import GridDirectory, ensure_compound
from labor.domain.eligibility import NotEligible


def is_liaison(principal: Principal) -> bool:
    return principal.role == Role.EMPLOYER_LIAISON


def eligibility_shown_to(principal: Principal, eligibility: dict[str, Any]) -> dict[str, Any]:
    """A liaison sees whether a worker may go now, never why not: a quarantine or the state of a
    health certificate is not the employer's to know."""
    if not is_liaison(principal):
        return eligibility
    return {"resident_id": eligibility["resident_id"], "eligible": eligibility["eligible"]}


def workers_shown_to(principal: Principal, workers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch's workers without the reasons of their eligibility and boarding, for a liaison."""
    if not is_liaison(principal):
        return workers
    return [{k: v for k, v in w.items() if k not in WHY_NOT} for w in workers]


WHY_NOT = frozenset({"reasons", "boarding_reasons", "reasons_now"})


@contextmanager
def why_not_hidden_from(principal: Principal) -> Iterator[None]:
    """A refusal for ineligibility reaches a liaison without its reasons."""
    try:
        yield
    except NotEligible as refused:
        if is_liaison(principal):
            raise refused.for_employer() from None
        raise


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
