"""Use cases of the centralized isolation point."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from towngrid_kit.ids import new_id
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.isolation_repository import IsolationRepository
from registry.domain.isolation import Admission, IsolationSite, Room
from registry.service.residents import ResidentService

T = TypeVar("T")


class IsolationService:
    def __init__(self, repository: IsolationRepository, residents: ResidentService) -> None:
        self._repo = repository
        self._residents = residents
        self._sites = UnitOfWork(repository, "isolation site")

    async def get(self, site_id: str) -> IsolationSite:
        return await self._sites.get(site_id)

    async def sites(self, after: str | None, limit: int, community_id: str | None = None,
                    compound_id: str | None = None) -> list[IsolationSite]:
        """Sites in id order; only those set up in ``compound_id`` (else ``community_id``) when given."""
        query = {"compound_id": compound_id} if compound_id is not None else (
            {"community_id": community_id} if community_id is not None else {})
        return await self._repo.find(query, after=after, limit=limit)

    async def add_room(self, site_id: str, zone_id: str, room_id: str, capacity: int,
                       community_id: str | None = None, compound_id: str | None = None) -> Room:
        """Add a room; the first room sets the site up, in ``community_id``/``compound_id`` (None: the town's).

        For a site already set up, the place must be the site's (it was checked against the caller's scope).
        """

        def change(site: IsolationSite) -> Room:
            if site.version == 0:
                site.community_id, site.compound_id = community_id, compound_id
            elif (site.community_id, site.compound_id) != (community_id, compound_id):
                raise Conflict(f"site {site_id} was set up in {site.compound_id or site.community_id or 'the town'}")
            return site.add_room(zone_id, room_id, capacity, datetime.now(UTC))

        return await self._sites.change_or_create(site_id, change, lambda: IsolationSite(site_id))

    async def admit(self, site_id: str, resident_id: str, room_id: str | None) -> Admission:
        """Admit a resident who is in centralized quarantine (their file says so)."""
        try:
            resident = await self._residents.get(resident_id)
        except NotFound:
            raise InvalidInput(f"no resident {resident_id}", field="body.resident_id") from None
        quarantine = resident.open_quarantine
        if quarantine is None or quarantine.kind != "centralized":
            raise Conflict(f"resident {resident_id} is not in centralized quarantine; start one first")
        admission_id = new_id("adm")
        return await self._change(site_id, lambda s: s.admit(admission_id, resident_id, quarantine.quarantine_id,
                                                             room_id, datetime.now(UTC)))

    async def discharge(self, site_id: str, admission_id: str, at: datetime | None) -> Admission:
        return await self._change(site_id, lambda s: s.discharge(admission_id, at or datetime.now(UTC)))

    async def record_cleaning(self, site_id: str, room_id: str, by: str) -> Room:
        return await self._change(site_id, lambda s: s.record_cleaning(room_id, by, datetime.now(UTC)))

    async def _change(self, site_id: str, change: Callable[[IsolationSite], T]) -> T:
        return await self._sites.outcome(site_id, change)
