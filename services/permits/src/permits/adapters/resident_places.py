"""Where each resident lives, as this service knows it: a projection of the registry's events.

Built only from the events on ``registry.resident.v1`` that carry the resident's compound
(``ResidentReturned`` when a returnee is registered or registered again, ``QuarantineStarted``),
never from a call to the registry. One document per resident (``resident_places``, keyed by the
resident id) keeps the last ``aggregate_version`` it applied, so a redelivered or replayed event
changes nothing. It places an application by its holder: who may take it and see it.

Residents quarantined before this projection existed are in the quarantine roster with their
compound: :meth:`ResidentPlaces.compound_of` falls back to it.

It also keeps the hash of the resident's current holder key (``ResidentReturned.holder_key_sha256``,
the key on their latest registration slip): what an online application must prove (``holder_proven``).
"""

from __future__ import annotations

from towngrid_contracts.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.holder_keys import holder_key_matches
from towngrid_kit.projection import apply_versioned
from permits.adapters.quarantine_roster import COLLECTION as ROSTER

COLLECTION = "resident_places"


class ResidentPlaces:
    def __init__(self, db: AsyncDatabase) -> None:
        self._places = db[COLLECTION]
        self._roster = db[ROSTER]

    async def placed(self, resident_id: str, compound_id: str, envelope: Envelope,
                     holder_key_sha256: str | None = None) -> bool:
        """The resident's compound, as an event of their file names it (and a registration's new holder
        key hash); True when applied."""
        fields = {"compound_id": compound_id}
        if holder_key_sha256 is not None:
            fields["holder_key_sha256"] = holder_key_sha256
        return await apply_versioned(self._places, resident_id, envelope.aggregate_version, fields,
                                     event_id=str(envelope.event_id))

    async def holder_proven(self, resident_id: str, holder_key: str) -> bool:
        """Whether ``holder_key`` is the resident's current one (False for a resident not announced here)."""
        found = await self._places.find_one({"_id": resident_id}, {"holder_key_sha256": 1})
        return holder_key_matches(holder_key, found.get("holder_key_sha256") if found else None)

    async def compound_of(self, resident_id: str) -> str | None:
        """The resident's compound; None while the registry has not announced the resident here."""
        for collection in (self._places, self._roster):
            found = await collection.find_one({"_id": resident_id}, {"compound_id": 1})
            if found is not None and found.get("compound_id"):
                return found["compound_id"]
        return None
