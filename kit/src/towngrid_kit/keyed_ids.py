"""Ids filed under a key (a resident's permits), found by ``_id`` lookups only.

FerretDB 1.24 serves only ``_id`` equality from an index; a query on any other field reads
every document of the collection. So a lookup that a consumer or command makes often, such
as "the permits this resident holds", is kept as its own small collection: the n-th id filed
under key k is the document ``<k>#<n>`` (n = 0, 1, 2, ...). Filing is an insert of the first
free n, atomic on FerretDB and MongoDB alike (a unique ``_id``), so two concurrent filings
under one key take n and n + 1 and never overwrite each other; nothing is ever updated or
deleted, so the entries of a key have no gaps and reading them is a few lookups by ``_id``
(made ``WINDOW`` at a time) until the first that is not there. Meant for keys with a few ids.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

WINDOW = 4


class KeyedIds:
    def __init__(self, collection: AsyncCollection) -> None:
        self._entries = collection

    async def ids(self, key: str) -> list[str]:
        """The ids filed under ``key``, in the order they were filed."""
        found: list[str] = []
        while True:
            batch = await asyncio.gather(*(self._entries.find_one({"_id": f"{key}#{n}"}, {"id": 1})
                                           for n in range(len(found), len(found) + WINDOW)))
            for entry in batch:
                if entry is None:
                    return found
                found.append(entry["id"])

    async def file(self, key: str, item_id: str) -> None:
        """File ``item_id`` under ``key`` (once: filing it again changes nothing)."""
        filed = await self.ids(key)
        if item_id in filed:
            return
        n = len(filed)
        while True:
            try:
                await self._entries.insert_one({"_id": f"{key}#{n}", "id": item_id, "filed_at": datetime.now(UTC)})
                return
            except DuplicateKeyError:  # filed meanwhile by someone else (or this very id, concurrently)
                entry = await self._entries.find_one({"_id": f"{key}#{n}"}, {"id": 1})
                if entry is not None and entry["id"] == item_id:
                    return
                n += 1
