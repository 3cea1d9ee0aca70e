"""Residents in MongoDB, as an insert-only log of commits (see ``towngrid_kit.commits``).

Each change stores the resident's new state and its events in one insert. A national ID
number is claimed once, in ``national_id_claims`` (keyed by a keyed hash of the number, so
the raw number is not an index key), which makes "the same national ID is the same
resident" hold even when two registrations race. A household id is claimed the same way, in
``household_claims`` (``{_id: household_id, compound_id}``, insert-only), so a household
belongs to the compound that first registered it, even when two registrations race.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.repository import Repository
from registry.domain.identity import normalize_national_id
from registry.adapters.documents import from_state, to_state
from registry.adapters.mappers import SealedMapper, StateMapper
from registry.adapters.sealing import KeyRing
from registry.domain.resident import Resident

STORE = "residents"
# Sealed at rest; the name stays readable for lists (its earlier spellings, in ``earlier``, are sealed).
SEALED_ITEMS = ("national_id", "mobile", "address", "earlier")


def query_fields(resident: Resident, tz: timezone) -> dict[str, Any]:
    """The fields lists, follow-up jobs and figures filter on (never personal data)."""
    return {
        "compound_id": resident.compound_id,
        "in_quarantine": resident.open_quarantine is not None,
        "checklist_next_due": resident.checklist.next_due() if resident.checklist else None,
        "check_deadline": resident.check_deadline(tz),
        "contact_ids": [c.contact_resident_id for c in resident.contacts],
        "care_visit_due": resident.care_visit_due(),
        "care_category": resident.care.category if resident.care else None,
        "care_paired": bool(resident.care and resident.care.helper_id),
        "left_town": resident.left_town is not None,
        "quarantine_kind": resident.open_quarantine.kind if resident.open_quarantine else None,
        "first_registered_on": (resident.returns[0].registered_at.astimezone(tz).date().isoformat()
                                if resident.returns else None),
        "checklist_overdue": (sum(1 for i in resident.checklist.items if not i.done and i.escalations)
                              if resident.checklist else 0),
        "missed_checks_open": len(resident.open_quarantine.missed_days) if resident.open_quarantine else 0,
    }


class ResidentRepository(Repository[Resident]):
    """Residents, and the claims of their national ID numbers (``national_id_claims``) and of
    their household ids (``household_claims``)."""

    def __init__(self, db: AsyncDatabase, id_hash_key: bytes, tz: timezone, ring: KeyRing) -> None:
        self.sealing = SealedMapper(
            StateMapper(lambda r: r.resident_id, to_state, from_state, lambda r: query_fields(r, tz)),
            ring, kind="resident", items=SEALED_ITEMS, id_field="resident_id", within="person")
        super().__init__(db, STORE, self.sealing, indexed=["compound_id", "in_quarantine", "care_category"])
        self._ring = ring
        self._claims = db["national_id_claims"]
        self._households = db["household_claims"]
        self._key = id_hash_key

    async def ensure_indexes(self) -> None:
        await super().ensure_indexes()
        await self.store.ensure_indexes(
            [("checklist_next_due", ASCENDING)], [("check_deadline", ASCENDING)], [("contact_ids", ASCENDING)],
            [("care_visit_due", ASCENDING)], [("quarantine_kind", ASCENDING)], [("first_registered_on", ASCENDING)])

    def national_id_hash(self, national_id: str) -> str:
        """Of the number's one spelling (``normalize_national_id``), so a full-width copy finds the same claim."""
        return hmac.new(self._key, normalize_national_id(national_id).encode(), hashlib.sha256).hexdigest()

    @property
    def ring(self) -> KeyRing:
        return self._ring

    async def claim_national_id(self, national_id: str, resident_id: str) -> str:
        """The resident id that owns this national ID: an earlier claim's, or ``resident_id``."""
        key = self.national_id_hash(national_id)
        try:
            await self._claims.insert_one({"_id": key, "resident_id": resident_id})
            return resident_id
        except DuplicateKeyError:
            claim = await self._claims.find_one({"_id": key})
            return claim["resident_id"]

    async def claim_household(self, household_id: str, compound_id: str) -> str:
        """The compound that owns this household id: an earlier claim's, or ``compound_id``."""
        claim = await self._households.find_one({"_id": household_id})
        if claim is not None:
            return claim["compound_id"]
        try:
            await self._households.insert_one({"_id": household_id, "compound_id": compound_id})
            return compound_id
        except DuplicateKeyError:  # claimed in between
            claim = await self._households.find_one({"_id": household_id})
            return claim["compound_id"]

    async def find_by_national_id(self, national_id: str) -> str | None:
        """The resident id registered with this national ID, if any (looked up by its keyed hash)."""
        claim = await self._claims.find_one({"_id": self.national_id_hash(national_id)})
        if claim is None or await self.store.load(claim["resident_id"]) is None:
            return None  # no claim, or a claim whose registration never completed
        return claim["resident_id"]

    async def follow_ups_due(self, now: datetime, limit: int) -> dict[str, list[str]]:
        """Ids of the residents with a follow-up due by ``now``, by kind: ``checklist`` (an overdue
        checklist step), ``check`` (a whole day in quarantine without a health check), ``visit``
        (a care visit). One query for the three (on FerretDB any query but by ``_id`` reads every
        fields document, so three would read them three times)."""
        kinds = {"checklist": "checklist_next_due", "check": "check_deadline", "visit": "care_visit_due"}
        found = await self.store.fields.find({"$or": [{name: {"$lte": now}} for name in kinds.values()]},
                                              dict.fromkeys(kinds.values(), 1)).sort("_id", ASCENDING).limit(limit).to_list()
        return {kind: [doc["_id"] for doc in found if doc.get(name) is not None and doc[name] <= now]
                for kind, name in kinds.items()}

    async def cases_of(self, contact_resident_id: str) -> list[str]:
        """Ids of the cases this resident is linked to as a close contact."""
        return await self.store.ids({"contact_ids": contact_resident_id}, limit=100)

    async def history(self, resident_id: str) -> list[dict[str, Any]]:
        """Every event of the resident's file, oldest first (from its commit log)."""
        return [entry["envelope"] for commit in await self.store.history(resident_id) for entry in commit["outbox"]]

    async def figures(self, since_day: str) -> dict[str, Any]:
        current = self.store.fields
        per_day = await (await current.aggregate([
            {"$match": {"first_registered_on": {"$gte": since_day}}},
            {"$group": {"_id": "$first_registered_on", "count": {"$sum": 1}}},
            {"$sort": {"_id": 1}},
        ])).to_list()

        async def total(field: str) -> int:
            # One accumulator per $group: FerretDB 1.24 gave the second $sum of one $group the first's value.
            found = await (await current.aggregate([{"$group": {"_id": None, "n": {"$sum": f"${field}"}}}])).to_list()
            return found[0]["n"] if found else 0

        return {
            "returnees_registered_per_day": {d["_id"]: d["count"] for d in per_day},
            "returnees_registered_total": await current.count_documents({"first_registered_on": {"$ne": None}}),
            "in_home_quarantine": await current.count_documents({"quarantine_kind": "home"}),
            "in_centralized_quarantine": await current.count_documents({"quarantine_kind": "centralized"}),
            "checklist_items_overdue": await total("checklist_overdue"),
            "daily_checks_missed_in_open_quarantines": await total("missed_checks_open"),
            "care_pairs": await current.count_documents({"care_paired": True}),
            "vulnerable_enrolled": await current.count_documents({"care_category": {"$ne": None}}),
            "people_taken_in": await current.count_documents({"care_category": "homeless"}),
            "left_town": await current.count_documents({"left_town": True}),
        }
