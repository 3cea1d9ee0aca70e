"""Residents in MongoDB, as an insert-only log of commits (see ``towngrid_kit.commits``).

Each change stores the resident's new state and its events in one insert. A national ID
number is claimed once, in ``national_id_claims`` (keyed by a keyed hash of the number, so
the raw number is not an index key), which makes "the same national ID is the same
resident" hold even when two registrations race.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_kit.commits import AggregateStore
from registry.adapters.documents import from_state, to_state
from registry.adapters.sealing import KeyRing, needs_resealing, open_items, seal_items
from registry.domain.resident import Resident

STORE = "residents"
SEALED_ITEMS = ("national_id", "mobile", "address")  # sealed at rest; the name stays readable for lists


class ResidentRepository:
    def __init__(self, db: AsyncDatabase, id_hash_key: bytes, tz: timezone, ring: KeyRing) -> None:
        self._store = AggregateStore(db, STORE)
        self._ring = ring
        self._tz = tz
        self._claims = db["national_id_claims"]
        self._key = id_hash_key

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes(
            [("compound_id", ASCENDING), ("_id", ASCENDING)], [("in_quarantine", ASCENDING), ("_id", ASCENDING)],
            [("checklist_next_due", ASCENDING)], [("check_deadline", ASCENDING)], [("contact_ids", ASCENDING)],
            [("care_visit_due", ASCENDING)], [("quarantine_kind", ASCENDING)], [("first_registered_on", ASCENDING)],
            [("care_category", ASCENDING), ("_id", ASCENDING)])

    def national_id_hash(self, national_id: str) -> str:
        return hmac.new(self._key, national_id.encode(), hashlib.sha256).hexdigest()

    @property
    def ring(self) -> KeyRing:
        return self._ring

    def _sealed(self, resident: Resident) -> dict[str, Any]:
        """The resident's state with the national ID, mobile and address sealed (AES-256-GCM)."""
        state = to_state(resident)
        state["person"] = seal_items(self._ring, state["person"], SEALED_ITEMS, kind="resident",
                                     record_id=resident.resident_id)
        return state

    def opened(self, state: dict[str, Any], version: int) -> Resident:
        person = open_items(self._ring, state["person"], kind="resident", record_id=state["resident_id"])
        return from_state({**state, "person": person}, version)

    def needs_resealing(self, state: dict[str, Any]) -> bool:
        return needs_resealing(self._ring, state["person"])

    async def load_raw(self, resident_id: str) -> tuple[dict[str, Any], int] | None:
        """The latest stored state (still sealed) and its version."""
        return await self._store.load(resident_id)

    async def ids(self, after: str | None, limit: int) -> list[str]:
        """Resident ids in order, a page at a time (for re-sealing every record)."""
        query = {"_id": {"$gt": after}} if after else {}
        return await self._store.ids(query, limit=limit)

    async def get(self, resident_id: str) -> Resident | None:
        found = await self._store.load(resident_id)
        return self.opened(*found) if found else None

    async def claim_national_id(self, national_id: str, resident_id: str) -> str:
        """The resident id that owns this national ID: an earlier claim's, or ``resident_id``."""
        key = self.national_id_hash(national_id)
        try:
            await self._claims.insert_one({"_id": key, "resident_id": resident_id})
            return resident_id
        except DuplicateKeyError:
            claim = await self._claims.find_one({"_id": key})
            return claim["resident_id"]

    async def find_by_national_id(self, national_id: str) -> str | None:
        """The resident id registered with this national ID, if any (looked up by its keyed hash)."""
        claim = await self._claims.find_one({"_id": self.national_id_hash(national_id)})
        if claim is None or await self._store.load(claim["resident_id"]) is None:
            return None  # no claim, or a claim whose registration never completed
        return claim["resident_id"]

    async def save(self, resident: Resident) -> None:
        """Store the resident's new state and pending events (ConcurrentModification on a race)."""
        events, resident.pending = resident.pending, []
        resident.version = await self._store.commit(
            resident.resident_id, resident.version, self._sealed(resident), events,
            index_fields={
                "compound_id": resident.compound_id,
                "in_quarantine": resident.open_quarantine is not None,
                "checklist_next_due": resident.checklist.next_due() if resident.checklist else None,
                "check_deadline": resident.check_deadline(self._tz),
                "contact_ids": [c.contact_resident_id for c in resident.contacts],
                "care_visit_due": resident.care_visit_due(),
                "care_category": resident.care.category if resident.care else None,
                "care_paired": bool(resident.care and resident.care.helper_id),
                "left_town": resident.left_town is not None,
                "quarantine_kind": resident.open_quarantine.kind if resident.open_quarantine else None,
                "first_registered_on": (resident.returns[0].registered_at.astimezone(self._tz).date().isoformat()
                                        if resident.returns else None),
                "checklist_overdue": (sum(1 for i in resident.checklist.items if not i.done and i.escalations)
                                      if resident.checklist else 0),
                "missed_checks_open": len(resident.open_quarantine.missed_days) if resident.open_quarantine else 0,
            },
        )

    async def follow_ups_due(self, now: datetime, limit: int) -> dict[str, list[str]]:
        """Ids of the residents with a follow-up due by ``now``, by kind: ``checklist`` (an overdue
        checklist step), ``check`` (a whole day in quarantine without a health check), ``visit``
        (a care visit). One query for the three (on FerretDB any query but by ``_id`` reads every
        fields document, so three would read them three times)."""
        kinds = {"checklist": "checklist_next_due", "check": "check_deadline", "visit": "care_visit_due"}
        found = await self._store.fields.find({"$or": [{name: {"$lte": now}} for name in kinds.values()]},
                                              dict.fromkeys(kinds.values(), 1)).sort("_id", ASCENDING).limit(limit).to_list()
        return {kind: [doc["_id"] for doc in found if doc.get(name) is not None and doc[name] <= now]
                for kind, name in kinds.items()}

    async def cases_of(self, contact_resident_id: str) -> list[str]:
        """Ids of the cases this resident is linked to as a close contact."""
        return await self._store.ids({"contact_ids": contact_resident_id}, limit=100)

    async def history(self, resident_id: str) -> list[dict[str, Any]]:
        """Every event of the resident's file, oldest first (from its commit log)."""
        return [entry["envelope"] for commit in await self._store.history(resident_id) for entry in commit["outbox"]]

    async def figures(self, since_day: str) -> dict[str, Any]:
        current = self._store.fields
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

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Resident]:
        query = dict(filters)
        if after:
            query["_id"] = {"$gt": after}
        return [self.opened(doc["state"], doc["version"]) for doc in await self._store.current_docs(query, limit=limit)]
