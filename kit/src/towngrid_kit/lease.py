"""A lease in MongoDB so that one relay per service publishes at a time.

Several worker replicas may run; the one holding the lease relays, the others stand by and
take over when it stops renewing. Losing the lease mid-cycle can at worst publish an event
twice, with the same ``event_id``, which consumers ignore.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


class Lease:
    def __init__(self, collection: AsyncCollection, name: str, owner: str, ttl_s: float = 10.0) -> None:
        self._collection = collection
        self._name = name
        self._owner = owner
        self._ttl = timedelta(seconds=ttl_s)
        self._held_until: datetime | None = None

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another owner holds it. A lease held with more
        than half its time left is not renewed (the relay asks ten times a second; each renewal
        is a write)."""
        now = datetime.now(UTC)
        if self._held_until is not None and self._held_until - now > self._ttl / 2:
            return True
        self._held_until = None
        try:
            await self._collection.find_one_and_update(
                {"_id": self._name, "$or": [{"owner": self._owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "expires_at": now + self._ttl}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False
        self._held_until = now + self._ttl
        return True

    async def release(self) -> None:
        self._held_until = None
        await self._collection.delete_one({"_id": self._name, "owner": self._owner})
