"""What delivery knows of the other services, built only from their events.

- ``MerchantPermits``: business-reopening permits (permits.permit.v1), one document per
  permit; a merchant may sell while one of its permits is issued and inside its validity.
- ``Households``: residents' households, compounds and quarantines (registry.resident.v1),
  one document per resident; a household is in quarantine while any of its residents is.

Each document keeps the last ``aggregate_version`` applied (``apply_versioned``), so a
redelivered or replayed event changes nothing.

Lookups go by ``_id`` only (FerretDB 1.24 pushes no other filter down to SQLite: any other
query scans the collection). So each projection also keeps a summary keyed by what orders look
up: ``merchant_open`` by merchant id (its permits' states), ``households`` by household id (its
residents' quarantine flags). A summary entry is always set from the source document's current
state, after the versioned write, so a replay or a stale event rewrites the same value.
A household keeps the compound it was first seen in: a resident event that puts it in another
compound is logged and leaves the household as it was (the registry refuses a household id of
another compound; this is the second line, so orders and quarantines stay with the first one).
(Two worker replicas writing different entries of one summary at the same instant could lose
one on FerretDB, which applies an update as read-then-write; one worker consumes sequentially.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_contracts.envelope import Envelope
from towngrid_kit.projection import apply_versioned_read

BUSINESS_REOPENING = "business_reopening"
log = logging.getLogger(__name__)


class MerchantPermits:
    def __init__(self, db: AsyncDatabase) -> None:
        self._permits = db["merchant_permits"]
        self._merchants = db["merchant_open"]

    async def ensure_indexes(self) -> None:
        await self._permits.create_index([("merchant_id", ASCENDING), ("status", ASCENDING)])

    async def apply(self, event: Any, envelope: Envelope, fields: dict[str, Any]) -> bool:
        """Record a permit event's effect (only business-reopening permits concern delivery)."""
        if event.permit_type != BUSINESS_REOPENING or event.merchant_id is None:
            return False
        applied, permit = await apply_versioned_read(self._permits, event.permit_id, envelope.aggregate_version,
                                                     {"merchant_id": event.merchant_id, **fields},
                                                     event_id=str(envelope.event_id))
        assert permit is not None  # upserted, or there already
        summary = {k: permit.get(k) for k in ("status", "valid_from", "valid_until", "version")}
        await self._merchants.update_one({"_id": event.merchant_id},
                                         {"$set": {f"permits.{event.permit_id}": summary}}, upsert=True)
        return applied

    async def allowed(self, merchant_id: str, at: datetime) -> bool:
        found = await self._merchants.find_one({"_id": merchant_id})
        return any(
            p.get("status") == "issued" and p.get("valid_from") is not None and p["valid_from"] <= at < p["valid_until"]
            for p in (found or {}).get("permits", {}).values()
        )

    async def holding_issued(self) -> list[str]:
        """Ids of the merchants open as the town's figures count them (the board's rule): holding a
        business-reopening permit whose latest event issued or reinstated it (not suspended,
        revoked or expired since). Its validity window is not looked at, unlike ``allowed``."""
        return sorted(await self._permits.distinct("merchant_id", {"status": "issued"}))


@dataclass(frozen=True)
class Household:
    household_id: str
    compound_id: str
    in_quarantine: bool


class Households:
    def __init__(self, db: AsyncDatabase) -> None:
        self._residents = db["household_residents"]
        self._households = db["households"]

    async def ensure_indexes(self) -> None:
        await self._residents.create_index([("household_id", ASCENDING)])

    async def apply(self, resident_id: str, envelope: Envelope, fields: dict[str, Any]) -> bool:
        applied, resident = await apply_versioned_read(self._residents, resident_id, envelope.aggregate_version, fields,
                                                       event_id=str(envelope.event_id))
        if resident and resident.get("household_id") and resident.get("compound_id"):
            household, compound = resident["household_id"], resident["compound_id"]
            try:  # one operation: matched in its compound, or new; known in another compound, the upsert collides
                await self._households.update_one({"_id": household, "compound_id": compound}, {"$set": {
                    f"quarantine.{resident_id}": bool(resident.get("in_quarantine"))}}, upsert=True)
            except DuplicateKeyError:
                log.warning("resident %s puts household %s in compound %s; it stays in the compound it was first "
                            "seen in", resident_id, household, compound)
        return applied

    async def get(self, household_id: str) -> Household | None:
        found = await self._households.find_one({"_id": household_id})
        if found is None:
            return None
        return Household(household_id=household_id, compound_id=found["compound_id"],
                         in_quarantine=any(found.get("quarantine", {}).values()))
