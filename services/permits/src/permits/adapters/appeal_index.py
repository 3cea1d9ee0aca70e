"""Which permit holds an appeal: an insert-only index read by ``_id``.

An appeal lives in its permit's aggregate (so its outcome and the reinstatement it causes are one
commit); ``POST /appeals/{id}/decision`` names only the appeal, so its id is claimed here before
the commit that files it. A claim whose commit never happened points at a permit without that
appeal: reading it gives 404.
"""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "appeal_index"


class AppealIndex:
    def __init__(self, db: AsyncDatabase) -> None:
        self._index = db[COLLECTION]

    async def claim(self, appeal_id: str, permit_id: str) -> None:
        await self._index.insert_one({"_id": appeal_id, "permit_id": permit_id})

    async def permit_of(self, appeal_id: str) -> str | None:
        found = await self._index.find_one({"_id": appeal_id})
        return found["permit_id"] if found else None
