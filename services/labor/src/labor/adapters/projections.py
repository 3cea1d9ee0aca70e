"""What labor knows of other services, from their events only (no calls, no reads of their data).

- ``resident_status`` (one document per resident, from ``registry.resident.v1``): compound,
  household, whether in quarantine. Versioned by the resident file's ``aggregate_version``.
- ``resident_permits`` (one document per permit, from ``permits.permit.v1``): health
  certificates and vehicle passes, their status and validity window. Versioned by the
  permit's ``aggregate_version``.

The two sources are kept apart, each document written only from the partition that owns its
key, so per-source versions never mix and updates never race. Eligibility joins them at read
time, checking ``valid_until`` against the clock. A resident's health certificates are filed
under the resident (``resident_permits_by_holder``, ``towngrid_kit.keyed_ids``), so the join is
lookups by ``_id`` only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_kit.keyed_ids import KeyedIds
from towngrid_kit.migrations import once
from towngrid_kit.projection import apply_versioned
from labor.domain.eligibility import Certificate, Eligibility, evaluate

RESIDENTS = "resident_status"
PERMITS = "resident_permits"
CERTIFICATE = "health_certificate"


class Projections:
    def __init__(self, db: AsyncDatabase) -> None:
        self.residents = db[RESIDENTS]
        self.permits = db[PERMITS]
        self.certificates = KeyedIds(db[f"{PERMITS}_by_holder"])
        self._db = db

    async def ensure_indexes(self) -> None:
        await self.permits.create_index([("holder_resident_id", ASCENDING), ("permit_type", ASCENDING)])

    async def migrate(self) -> None:
        """Once: file under their holders the certificates projected before the by-holder index existed."""
        async def file_by_holder() -> None:
            async for doc in self.permits.find({"permit_type": CERTIFICATE}, {"holder_resident_id": 1}):
                if doc.get("holder_resident_id"):
                    await self.certificates.file(doc["holder_resident_id"], doc["_id"])

        await once(self._db, f"{PERMITS}:by-holder", file_by_holder)

    async def resident(self, resident_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        return await apply_versioned(self.residents, resident_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def permit(self, permit_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        if fields.get("permit_type") == CERTIFICATE and fields.get("holder_resident_id"):
            await self.certificates.file(fields["holder_resident_id"], permit_id)  # first: see keyed_ids
        return await apply_versioned(self.permits, permit_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def known_resident(self, resident_id: str) -> dict[str, Any] | None:
        return await self.residents.find_one({"_id": resident_id})

    async def permit_doc(self, permit_id: str) -> dict[str, Any] | None:
        return await self.permits.find_one({"_id": permit_id})

    async def eligibility(self, resident_ids: list[str], now: datetime) -> dict[str, Eligibility]:
        ids = list(dict.fromkeys(resident_ids))
        residents = await asyncio.gather(*(self.residents.find_one({"_id": rid}, {"in_quarantine": 1}) for rid in ids))
        certs = await asyncio.gather(*(self._certificates_of(rid) for rid in ids))
        return {rid: evaluate(rid, bool(doc and doc.get("in_quarantine")), held, now)
                for rid, doc, held in zip(ids, residents, certs, strict=True)}

    async def _certificates_of(self, resident_id: str) -> list[Certificate]:
        found = await asyncio.gather(*(self.permits.find_one({"_id": permit_id})
                                       for permit_id in await self.certificates.ids(resident_id)))
        return [Certificate(permit_id=doc["_id"], status=doc.get("status", "unknown"), valid_from=doc.get("valid_from"),
                            valid_until=doc.get("valid_until"))
                for doc in found if doc is not None and doc.get("permit_type") == CERTIFICATE]

    async def eligibility_of(self, resident_id: str, now: datetime) -> Eligibility:
        return (await self.eligibility([resident_id], now))[resident_id]
