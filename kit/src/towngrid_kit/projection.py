"""Idempotent effects for consumers, without transactions.

- :func:`apply_versioned`: a projection of one aggregate keeps the last ``aggregate_version``
  it applied; an event whose version is not newer changes nothing. :func:`apply_versioned_read`
  does the same and also returns the document as it is afterwards (one operation when applied).
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from towngrid_kit.mongo import update_if


async def apply_versioned(
    collection: AsyncCollection, key: str, version: int, fields: dict[str, Any], *, event_id: str | None = None,
    keep: int = 100,
) -> bool:
    """Set ``fields`` on document ``key`` if ``version`` is newer; True when applied.

    With ``event_id``, the document also lists the last ``keep`` events it applied, so an
    audit (or a test) can see that each was applied once.
    """
    return await update_if(collection, key, {"version": {"$lt": version}}, _versioned_update(version, fields, event_id, keep),
                           upsert=True)


async def apply_versioned_read(
    collection: AsyncCollection, key: str, version: int, fields: dict[str, Any], *, event_id: str | None = None,
    keep: int = 100,
) -> tuple[bool, dict[str, Any] | None]:
    """:func:`apply_versioned`, and the document as it is now: (True, the document after the
    update) in one operation when applied, else (False, the document as found)."""
    try:
        found = await collection.find_one_and_update({"_id": key, "version": {"$lt": version}},
                                                     _versioned_update(version, fields, event_id, keep), upsert=True,
                                                     return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:  # it exists with this version or a newer one
        found = None
    if found is not None:
        return True, found
    return False, await collection.find_one({"_id": key})


def _versioned_update(version: int, fields: dict[str, Any], event_id: str | None, keep: int) -> dict[str, Any]:
    update: dict[str, Any] = {"$set": {**fields, "version": version}}
    if event_id is not None:
        update["$push"] = {"applied_events": {"$each": [event_id], "$slice": -keep}}
    return update
