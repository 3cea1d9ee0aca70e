"""Isolation sites in the commit log (one aggregate per site)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore
from registry.domain.isolation import Admission, IsolationSite, Room

ISOLATION_STORE = "isolation_sites"


def to_state(site: IsolationSite) -> dict[str, Any]:
    return {"site_id": site.site_id, "community_id": site.community_id, "compound_id": site.compound_id,
            "rooms": [asdict(r) for r in site.rooms.values()],
            "admissions": [asdict(a) for a in site.admissions.values()]}


def from_state(doc: dict[str, Any], version: int) -> IsolationSite:
    return IsolationSite(
        site_id=doc["site_id"], version=version,
        community_id=doc.get("community_id"), compound_id=doc.get("compound_id"),
        rooms={r["room_id"]: Room(**r) for r in doc.get("rooms", [])},
        admissions={a["admission_id"]: Admission(**a) for a in doc.get("admissions", [])},
    )


class IsolationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, ISOLATION_STORE)

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()

    async def get(self, site_id: str) -> IsolationSite | None:
        found = await self._store.load(site_id)
        return from_state(*found) if found else None

    async def save(self, site: IsolationSite) -> None:
        events, site.pending = site.pending, []
        site.version = await self._store.commit(site.site_id, site.version, to_state(site), events, index_fields={
            "community_id": site.community_id, "compound_id": site.compound_id})

    async def site_ids(self, after: str | None, limit: int, community_id: str | None = None,
                       compound_id: str | None = None) -> list[str]:
        """Site ids in order; only those of ``compound_id`` or else ``community_id`` when given."""
        query: dict[str, Any] = {"_id": {"$gt": after}} if after else {}
        if compound_id is not None:
            query["compound_id"] = compound_id
        elif community_id is not None:
            query["community_id"] = community_id
        return await self._store.ids(query, limit=limit)
