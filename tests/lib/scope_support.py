"""For unit tests of a service's scope rules: a grid in memory and a caller's principal."""

from __future__ import annotations

from towngrid_kit.auth import Principal, Role
from towngrid_kit.grid import Place


class MemoryGrid:
    """The grid directory's reads over ``{compound_id: community_id}``."""

    def __init__(self, communities: dict[str, str]) -> None:
        self._communities = communities

    async def community_of(self, compound_id: str | None) -> str | None:
        return self._communities.get(compound_id or "")

    async def compound(self, compound_id: str | None) -> Place:
        return Place(compound_id, await self.community_of(compound_id))

    async def compounds_of(self, community_id: str) -> list[str]:
        return [c for c, community in self._communities.items() if community == community_id]


def who(role: Role, scope: str = "town", org: str | None = None) -> Principal:
    return Principal(subject="stf_1", role=role, scope=scope, organisation=org)
