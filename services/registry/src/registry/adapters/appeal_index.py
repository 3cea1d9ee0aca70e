"""Which resident's file holds an appeal: the kit's insert-only claims (``towngrid_kit.claims``)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.claims import Claims

COLLECTION = "appeal_index"


class AppealIndex(Claims):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db[COLLECTION], "resident_id")
