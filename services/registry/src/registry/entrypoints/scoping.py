"""The grid-scope guard of the HTTP api: loads a thing and checks the caller's token may reach it.

The one place a request's scope is checked (issue 8); the rules themselves (where a thing lies,
what a scope covers) are ``registry.domain.places``. A list is limited to the caller's scope, and
a list filter naming a place outside it gives 403. Town-wide settings (the grid itself) need a
town-wide token to change. ``Guard`` hands the app's guard to a route.
"""

from __future__ import annotations

from typing import Annotated


from towngrid_kit.http import from_state
from towngrid_kit.auth import Principal
from towngrid_kit.errors import InvalidInput, NotFound
from registry.adapters.grid_repository import GridRepository
from registry.domain.duty import DutyPerson
from registry.domain.grid import Grid
from registry.domain.isolation import IsolationSite
from registry.domain.places import TOWN, OutOfScope, Place, compounds_within, ensure_covers, place_in, site_place, unit_place
from registry.domain.resident import Resident
from registry.domain.tip import Tip
from registry.service.duty import DutyService
from registry.service.isolation import IsolationService
from registry.service.residents import ResidentService
from registry.service.tips import TipService


class ScopeGuard:
    """Loads a thing and checks the caller may see or change it; limits lists to the caller's scope."""

    def __init__(self, grids: GridRepository, town_id: str, residents: ResidentService, tips: TipService,
                 isolation: IsolationService, duty: DutyService) -> None:
        self._grids = grids
        self._town_id = town_id
        self._residents = residents
        self._tips = tips
        self._isolation = isolation
        self._duty = duty

    async def grid(self) -> Grid:
        return await self._grids.current(self._town_id)

    # --- one thing ---------------------------------------------------------------------
    async def town(self, who: Principal) -> None:
        """Town-wide changes (the grid, its settings) need a town-wide token."""
        ensure_covers(who, TOWN)

    async def compound(self, who: Principal, compound_id: str) -> Place:
        """A new thing placed in ``compound_id`` (a registration, a tip, a group)."""
        place = place_in(await self.grid(), compound_id)
        ensure_covers(who, place)
        return place

    async def unit(self, who: Principal, level: str, unit_id: str) -> Place:
        place = unit_place(await self.grid(), level, unit_id)
        ensure_covers(who, place)
        return place

    async def resident(self, who: Principal, resident_id: str) -> Resident:
        resident = await self._residents.get(resident_id)
        ensure_covers(who, place_in(await self.grid(), resident.compound_id))
        return resident

    async def other_resident(self, who: Principal, resident_id: str, field: str) -> Resident:
        """A resident named in a body (a contact, an admission): 422 if unknown, 403 if outside."""
        try:
            return await self.resident(who, resident_id)
        except NotFound:
            raise InvalidInput(f"no resident {resident_id}", field=field) from None

    async def tip(self, who: Principal, tip_id: str) -> Tip:
        tip = await self._tips.get(tip_id)
        ensure_covers(who, place_in(await self.grid(), tip.compound_id))
        return tip

    async def tip_match(self, who: Principal, tip: Tip) -> str | None:
        """The resident a tip names by ID number, only if the caller's scope covers them: else None,
        as if the number were unknown (a volunteer learns no resident id, nor that the number is
        registered, elsewhere)."""
        if tip.matched_resident_id is None:
            return None
        try:
            await self.resident(who, tip.matched_resident_id)
        except (NotFound, OutOfScope):
            return None
        return tip.matched_resident_id

    async def site(self, who: Principal, site_id: str) -> IsolationSite:
        site = await self._isolation.get(site_id)
        ensure_covers(who, site_place(site))
        return site

    async def new_site_place(self, who: Principal, site_id: str, community_id: str | None,
                             compound_id: str | None) -> Place:
        """Where a room goes: the site's place if it is set up (it must be in scope), else the place asked for
        (the caller's own when none is given), which must be in the grid and in scope."""
        try:
            return site_place(await self.site(who, site_id))
        except NotFound:
            pass
        grid = await self.grid()
        if compound_id is not None:
            if compound_id not in grid.compounds:
                raise InvalidInput(f"no compound {compound_id} in the grid", field="body.compound_id")
            place = place_in(grid, compound_id)
            if community_id is not None and community_id != place.community:
                raise InvalidInput(f"compound {compound_id} is in community {place.community}", field="body.community_id")
        elif community_id is not None:
            if community_id not in grid.communities:
                raise InvalidInput(f"no community {community_id} in the grid", field="body.community_id")
            place = Place(community_id, None)
        else:
            scope = who.grid
            place = place_in(grid, scope.compound) if scope.compound else Place(scope.community, None)
        ensure_covers(who, place)
        return place

    async def duty_person(self, who: Principal, person_id: str) -> DutyPerson:
        person = await self._duty.person(person_id)
        ensure_covers(who, Place(person.community_id, person.compound_id))
        return person

    async def checkpoint(self, who: Principal, checkpoint_id: str) -> Place:
        grid = await self.grid()
        compound_id = checkpoint_id.removeprefix("CP-")
        if not checkpoint_id.startswith("CP-") or compound_id not in grid.compounds:
            raise NotFound(f"no checkpoint {checkpoint_id} in the grid")
        place = place_in(grid, compound_id)
        ensure_covers(who, place)
        return place

    async def group(self, who: Principal, group_id: str) -> Place:
        grid = await self.grid()
        if group_id not in grid.groups:
            raise NotFound(f"no neighbour group {group_id}")
        place = place_in(grid, grid.groups[group_id].compound_id)
        ensure_covers(who, place)
        return place

    # --- lists -------------------------------------------------------------------------
    async def compounds(self, who: Principal, compound_id: str | None = None) -> list[str] | None:
        """The compounds a list may show: the one asked for (403 if outside), else the caller's (None: all)."""
        grid = await self.grid()
        if compound_id is not None:
            ensure_covers(who, place_in(grid, compound_id))
            return [compound_id]
        return compounds_within(grid, who)

    async def checkpoints(self, who: Principal, checkpoint_ids: list[str] | None) -> list[str] | None:
        """Checkpoints to assess: the ones asked for (each must be in scope), else the caller's (None: all)."""
        if checkpoint_ids is not None:
            grid = await self.grid()
            for checkpoint_id in checkpoint_ids:
                compound_id = checkpoint_id.removeprefix("CP-")
                if compound_id in grid.compounds:  # an unknown id is the service's 422
                    ensure_covers(who, place_in(grid, compound_id))
            return checkpoint_ids
        within = compounds_within(await self.grid(), who)
        return None if within is None else [f"CP-{c}" for c in within]

    async def unit_filter(self, who: Principal, unit_id: str | None) -> Place | None:
        """For a list of people on duty: the unit asked for must be in scope; else the caller's own place."""
        if unit_id is not None:
            grid = await self.grid()
            level = "compound" if unit_id in grid.compounds else "community" if unit_id in grid.communities else "town"
            ensure_covers(who, unit_place(grid, level, unit_id))
            return None
        scope = who.grid
        return None if scope.whole_town else Place(scope.community, scope.compound)

    @staticmethod
    def site_filter(who: Principal) -> Place | None:
        """For a list of isolation sites: the caller's place (None: every site)."""
        scope = who.grid
        return None if scope.whole_town else Place(scope.community, scope.compound)


Guard = Annotated[ScopeGuard, from_state("scope")]
