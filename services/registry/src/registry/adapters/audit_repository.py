"""The audit log of unmasked personal-data reads: one aggregate per resident, one commit per read.

Each read is ONE insert (the kit's commit: ``<resident id>@<n>``) holding the read and its
``PersonalDataRead`` event (the outbox), so a read is never shown without being recorded,
and the log of one person is read back by ``_id`` (the chain of commits), never by a scan.
The free-text note stays in the commit; the event carries the purpose code and the names of
the items read, never their values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.registry import PersonalDataRead
from towngrid_kit.commits import AggregateStore, commit_id
from towngrid_kit.concurrency import KeyedLocks, retry_on_conflict

READS_STORE = "personal_data_reads"


@dataclass(frozen=True)
class ReadRecord:
    read_id: str
    resident_id: str
    read_by: str
    reader_role: str
    reader_scope: str
    items: list[str]
    purpose: str
    note: str
    read_at: datetime

    def event(self) -> PersonalDataRead:
        return PersonalDataRead(resident_id=self.resident_id, read_id=self.read_id, read_by=self.read_by,
                                reader_role=self.reader_role, reader_scope=self.reader_scope, items=self.items,
                                purpose=self.purpose, read_at=self.read_at)


class AuditRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self._store = AggregateStore(db, READS_STORE)
        self._locks = KeyedLocks()

    async def ensure_indexes(self) -> None:
        await self._store.ensure_indexes()

    async def record(self, read: ReadRecord) -> int:
        """Store the read and its event at once; returns its number in the person's log."""
        async def attempt() -> int:
            found = await self._store.load(read.resident_id)
            state, version = found if found else ({"reads": 0}, 0)
            new_state = {"resident_id": read.resident_id, "reads": state["reads"] + 1, "read": asdict(read)}
            return await self._store.commit(read.resident_id, version, new_state, [read.event()],
                                            index_fields={"last_read_at": read.read_at, "last_read_by": read.read_by})

        async with self._locks.hold(read.resident_id):
            return await retry_on_conflict(attempt)

    async def reads_of(self, resident_id: str, after: int, limit: int) -> list[tuple[int, ReadRecord]]:
        """The person's reads after number ``after``, oldest first, followed by ``_id``."""
        found: list[tuple[int, ReadRecord]] = []
        version = after
        while len(found) < limit:
            commit: dict[str, Any] | None = await self._store.commits.find_one(
                {"_id": commit_id(resident_id, version + 1)}, {"state.read": 1, "version": 1})
            if commit is None:
                break
            version = commit["version"]
            found.append((version, ReadRecord(**commit["state"]["read"])))
        return found
