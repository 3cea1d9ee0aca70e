"""Use cases of service teams: form one, look one up, count the orders it has in hand."""

from __future__ import annotations

from typing import Any

from towngrid_kit.errors import Conflict, NotFound

from delivery.adapters.teams import Teams
from towngrid_kit.ids import ordered_id


class TeamService:
    def __init__(self, teams: Teams) -> None:
        self._teams = teams

    async def form(self, team_id: str | None, community_id: str, capacity: int, members: list[str]) -> dict[str, Any]:
        """Store a new team (members once each, in the order given); Conflict if the id is taken."""
        team = {"team_id": team_id or ordered_id("team"), "community_id": community_id, "capacity": capacity,
                "members": list(dict.fromkeys(members))}
        if not await self._teams.create(team):
            raise Conflict(f"team {team['team_id']} already exists")
        return team

    async def find(self, team_id: str) -> dict[str, Any] | None:
        return await self._teams.get(team_id)

    async def get(self, team_id: str) -> dict[str, Any]:
        team = await self._teams.get(team_id)
        if team is None:
            raise NotFound(f"no team {team_id}")
        return team

    async def in_hand(self, team_id: str) -> int:
        """Orders assigned to the team and not yet delivered or handed over (the seats they hold)."""
        return await self._teams.load(team_id)
