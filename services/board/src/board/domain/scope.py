"""Which part of the town a caller asks the board for, and whether their token reaches it.

A viewer scoped to a community (its secretary) sees that community and its compounds; a viewer
scoped to a compound sees that compound; a town-wide token sees everything. Asking for no
place gives the caller's own scope. A refusal names neither the place asked for nor where it
lies (a compound's community is not told to someone outside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from towngrid_kit.auth import GridScope

from board.domain.figures import TOWN, community_key, compound_key


class OutsideScope(Exception):
    """The caller's token does not reach the place asked for."""


class NotInCommunity(Exception):
    """The compound asked for is not in the community asked for."""


@dataclass(frozen=True)
class Scope:
    community: str | None = None
    compound: str | None = None

    @property
    def key(self) -> str:
        if self.compound is not None:
            return compound_key(self.compound)
        if self.community is not None:
            return community_key(self.community)
        return TOWN


def resolve(granted: GridScope, community: str | None, compound: str | None, grid: dict[str, str]) -> Scope:
    """The scope to show; ``grid``: compound -> community (from the registry's grid events)."""
    if community is None and compound is None:
        community, compound = granted.community, granted.compound
    if compound is not None:
        actual = grid.get(compound)
        if not granted.covers(community=actual, compound=compound):
            raise OutsideScope
        if community is not None and community != actual:
            raise NotInCommunity
        return Scope(community=actual, compound=compound)
    if not granted.covers(community=community):
        raise OutsideScope
    return Scope(community=community)
