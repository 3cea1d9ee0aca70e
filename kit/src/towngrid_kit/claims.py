"""Which aggregate holds a thing that lives inside it (an appeal in a permit or in a resident's
file): an insert-only index read by ``_id``.

A route may name only the inner thing (``POST /appeals/{id}/decision``), so its id is claimed
here, naming its aggregate, before the commit that creates it. A claim whose commit never
happened points at an aggregate without that thing: reading it gives 404.
"""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection


class Claims:
    def __init__(self, collection: AsyncCollection, owner_field: str) -> None:
        """``owner_field``: the field of a claim naming the aggregate (``permit_id``, ...)."""
        self._claims = collection
        self._owner_field = owner_field

    async def claim(self, thing_id: str, owner_id: str) -> None:
        await self._claims.insert_one({"_id": thing_id, self._owner_field: owner_id})

    async def owner_of(self, thing_id: str) -> str | None:
        found = await self._claims.find_one({"_id": thing_id})
        return found[self._owner_field] if found else None
