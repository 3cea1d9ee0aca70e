"""What labor knows of other services, from their events only (no calls, no reads of their data).

- ``resident_status`` (one document per resident, from ``registry.resident.v1``): compound,
  household, whether in quarantine. Versioned by the resident file's ``aggregate_version``.
- ``resident_permits`` (one document per permit, from ``permits.permit.v1``): health
  certificates and vehicle passes, their status and validity window. Versioned by the
  permit's ``aggregate_version``.

The two sources are kept apart, each document written only from the partition that owns its
key, so per-source versions never mix and updates never race. Eligibility joins them at read
time, checking ``valid_until`` against the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_kit.projection import apply_versioned
from labor.domain.eligibility import Certificate, Eligibility, evaluate

RESIDENTS = "resident_status"
PERMITS = "resident_permits"


class Projections:
    def __init__(self, db: AsyncDatabase) -> None:
        self.residents = db[RESIDENTS]
        self.permits = db[PERMITS]

    async def ensure_indexes(self) -> None:
        await self.permits.create_index([("holder_resident_id", ASCENDING), ("permit_type", ASCENDING)])

    async def resident(self, resident_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        return await apply_versioned(self.residents, resident_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def permit(self, permit_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        return await apply_versioned(self.permits, permit_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def known_resident(self, resident_id: str) -> dict[str, Any] | None:
        return await self.residents.find_one({"_id": resident_id})

    async def permit_doc(self, permit_id: str) -> dict[str, Any] | None:
        return await self.permits.find_one({"_id": permit_id})

    async def eligibility(self, resident_ids: list[str], now: datetime) -> dict[str, Eligibility]:
        ids = list(dict.fromkeys(resident_ids))
        quarantined = {d["_id"] for d in await self.residents.find(
            {"_id": {"$in": ids}, "in_quarantine": True}, {"_id": 1}).to_list()}
        certs: dict[str, list[Certificate]] = {rid: [] for rid in ids}
        cursor = self.permits.find({"holder_resident_id": {"$in": ids}, "permit_type": "health_certificate"})
        async for doc in cursor:
            certs[doc["holder_resident_id"]].append(Certificate(
                permit_id=doc["_id"], status=doc.get("status", "unknown"), valid_from=doc.get("valid_from"),
                valid_until=doc.get("valid_until")))
        return {rid: evaluate(rid, rid in quarantined, certs[rid], now) for rid in ids}

    async def eligibility_of(self, resident_id: str, now: datetime) -> Eligibility:
        return (await self.eligibility([resident_id], now))[resident_id]
