"""Where each registry thing lies in the grid, and whether a caller's grid scope covers it.

Pure rules (issue 8). A token's scope is the whole town, one community or one compound
(``towngrid_kit.auth.GridScope``). Every thing knows its place:

- a resident, a tip: the compound it names; its community comes from the registry's own grid
  (a compound the grid does not know has no community, so only a town-wide token covers it);
- a person on duty: the grid unit they serve (recorded on the person when registered);
- a checkpoint and its coverage, a neighbour group: their compound;
- an isolation site: the community (and optionally the compound) it was set up in, recorded
  with its first room; a site set up town-wide belongs to the town.

A thing outside the caller's scope gives 403 (``OutOfScope``) naming the scope. The guard that
loads a thing and applies these rules to a request is ``registry.entrypoints.scoping``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from towngrid_kit.errors import DomainError
from registry.domain.grid import Grid
from registry.domain.isolation import IsolationSite

if TYPE_CHECKING:  # only its type: the domain imports no web framework
    from towngrid_kit.auth import Principal


class OutOfScope(DomainError):
    status = 403
    title = "Forbidden"


@dataclass(frozen=True)
class Place:
    """Where a thing lies: (None, None) is the town itself."""

    community: str | None = None
    compound: str | None = None

    def __str__(self) -> str:
        return f"compound {self.compound}" if self.compound else \
            f"community {self.community}" if self.community else "the whole town"


TOWN = Place()


def place_in(grid: Grid, compound_id: str) -> Place:
    compound = grid.compounds.get(compound_id)
    return Place(compound.community_id if compound else None, compound_id)


def unit_place(grid: Grid, level: str, unit_id: str) -> Place:
    """The place of a grid unit: the town, a community, or a compound."""
    if level == "compound":
        return place_in(grid, unit_id)
    if level == "community":
        return Place(unit_id, None)
    return TOWN


def site_place(site: IsolationSite) -> Place:
    return Place(site.community_id, site.compound_id)


def ensure_covers(who: Principal, place: Place, *, unnamed: str | None = None) -> None:
    """403 unless ``place`` lies inside the caller's grid scope. ``unnamed``: what the refusal says the
    thing belongs to instead of naming ``place``, when the caller did not name the thing by its id
    (a national ID number typed in) and must not learn where it is."""
    if not who.covers(community=place.community, compound=place.compound):
        raise OutOfScope(f"outside your scope ({who.scope}): this belongs to {unnamed or place}")


def compounds_within(grid: Grid, who: Principal) -> list[str] | None:
    """The compounds a caller's scope covers; None for a town-wide scope (no limit)."""
    scope = who.grid
    if scope.whole_town:
        return None
    if scope.compound is not None:
        return [scope.compound]
    return sorted(c.compound_id for c in grid.compounds.values() if c.community_id == scope.community)
