"""Isolation sites in the commit log (one aggregate per site)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.repository import Repository
from registry.adapters.mappers import StateMapper
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


class IsolationRepository(Repository[IsolationSite]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, ISOLATION_STORE, StateMapper(
            lambda s: s.site_id, to_state, from_state,
            lambda s: {"community_id": s.community_id, "compound_id": s.compound_id}))
