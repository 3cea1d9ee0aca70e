"""What delivery knows of the other services, built only from their events.

- ``MerchantPermits``: business-reopening permits (permits.permit.v1), one document per
  permit; a merchant may sell while one of its permits is issued and inside its validity.
- ``Households``: residents' households, compounds and quarantines (registry.resident.v1),
  one document per resident; a household is in quarantine while any of its residents is.

Each document keeps the last ``aggregate_version`` applied (``apply_versioned``), so a
redelivered or replayed event changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_kit.projection import apply_versioned

BUSINESS_REOPENING = "business_reopening"


class MerchantPermits:
    def __init__(self, db: AsyncDatabase) -> None:
        self._permits = db["merchant_permits"]

    async def ensure_indexes(self) -> None:
        await self._permits.create_index([("merchant_id", ASCENDING), ("status", ASCENDING)])

    async def apply(self, event: Any, envelope: Envelope, fields: dict[str, Any]) -> bool:
        """Record a permit event's effect (only business-reopening permits concern delivery)."""
        if event.permit_type != BUSINESS_REOPENING or event.merchant_id is None:
            return False
        return await apply_versioned(self._permits, event.permit_id, envelope.aggregate_version,
                                     {"merchant_id": event.merchant_id, **fields}, event_id=str(envelope.event_id))

    async def allowed(self, merchant_id: str, at: datetime) -> bool:
        found = await self._permits.find_one({
            "merchant_id": merchant_id, "status": "issued",
            "valid_from": {"$lte": at}, "valid_until": {"$gt": at},
        })
        return found is not None

    async def of(self, merchant_id: str) -> list[dict[str, Any]]:
        return await self._permits.find({"merchant_id": merchant_id}).sort("_id", ASCENDING).to_list()


@dataclass(frozen=True)
class Household:
    household_id: str
    compound_id: str
    in_quarantine: bool


class Households:
    def __init__(self, db: AsyncDatabase) -> None:
        self._residents = db["household_residents"]

    async def ensure_indexes(self) -> None:
        await self._residents.create_index([("household_id", ASCENDING)])

    async def apply(self, resident_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        return await apply_versioned(self._residents, resident_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def get(self, household_id: str) -> Household | None:
        residents = await self._residents.find({"household_id": household_id}).to_list()
        if not residents:
            return None
        return Household(
            household_id=household_id,
            compound_id=residents[0]["compound_id"],
            in_quarantine=any(r.get("in_quarantine") for r in residents),
        )
