"""The audit log of unmasked personal-data reads: one aggregate per resident, one commit per read.

Each read is ONE insert (the kit's commit: ``<resident id>@<n>``) holding the read and its
``PersonalDataRead`` event (the outbox), so a read is never shown without being recorded,
and the log of one person is read back by ``_id`` (the chain of commits), never by a scan.
The free-text note stays in the commit; the event carries the purpose code and the names of
the items read, never their values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from towngrid_contracts.registry import PersonalDataRead
from towngrid_kit.commits import commit_id
from towngrid_kit.mongo import page_by_id
from towngrid_kit.repository import Repository
from registry.adapters.mappers import StateMapper

READS_STORE = "personal_data_reads"
ALERTS = "personal_data_alerts"
TASK_LISTS = "task_list_reads"


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
    earlier: bool = False  # the replaced values (of the items, and earlier names) were shown too

    def event(self) -> PersonalDataRead:
        return PersonalDataRead(resident_id=self.resident_id, read_id=self.read_id, read_by=self.read_by,
                                reader_role=self.reader_role, reader_scope=self.reader_scope, items=self.items,
                                purpose=self.purpose, read_at=self.read_at, earlier=self.earlier or None)


@dataclass
class ReadLog:
    """One person's log of unmasked reads: how many, and the latest (each change adds one read)."""

    resident_id: str
    reads: int = 0
    read: ReadRecord | None = None
    version: int = 0
    pending: list[Any] = field(default_factory=list)

    def record(self, read: ReadRecord) -> None:
        self.reads += 1
        self.read = read
        self.pending.append(read.event())


def to_state(log: ReadLog) -> dict[str, Any]:
    return {"resident_id": log.resident_id, "reads": log.reads, "read": asdict(log.read) if log.read else None}


def from_state(state: dict[str, Any], version: int) -> ReadLog:
    read = state.get("read")
    return ReadLog(state["resident_id"], state["reads"], ReadRecord(**read) if read else None, version)


def _fields(log: ReadLog) -> dict[str, Any]:
    return {"last_read_at": log.read.read_at, "last_read_by": log.read.read_by} if log.read else {}


def _between(since: datetime | None, until: datetime | None) -> dict[str, Any]:
    """A filter on a time: ``since`` included, ``until`` excluded, either left open."""
    return {op: at for op, at in (("$gte", since), ("$lt", until)) if at is not None}


class AuditRepository(Repository[ReadLog]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, READS_STORE, StateMapper(lambda log: log.resident_id, to_state, from_state, _fields))

    async def ensure_indexes(self) -> None:
        await super().ensure_indexes()
        await self.store.commits.create_index([("state.read.read_by", ASCENDING), ("state.read.read_at", ASCENDING),
                                               ("_id", ASCENDING)])

    async def reads_by(self, reader: str, since: datetime | None, until: datetime | None, after: str | None,
                       limit: int) -> list[tuple[int, ReadRecord]]:
        """The reads by ``reader`` with ``since <= read_at < until``, oldest first; ``after``: the
        ``read_id`` the previous page ended with."""
        query: dict[str, Any] = {"state.read.read_by": reader}
        when = _between(since, until)
        if after:
            last = await self.store.commits.find_one({"state.read.read_by": reader, "state.read.read_id": after},
                                                     {"state.read.read_at": 1})
            if last is not None:
                at = last["state"]["read"]["read_at"]
                query["$or"] = [{"state.read.read_at": {"$gt": at}},
                                {"state.read.read_at": at, "state.read.read_id": {"$gt": after}}]
        if when:
            query["state.read.read_at"] = when
        cursor = self.store.commits.find(query, {"state.read": 1, "version": 1}).sort(
            [("state.read.read_at", ASCENDING), ("state.read.read_id", ASCENDING)]).limit(limit)
        return [(commit["version"], ReadRecord(**commit["state"]["read"])) async for commit in cursor]

    async def reads_of(self, resident_id: str, after: int, limit: int) -> list[tuple[int, ReadRecord]]:
        """The person's reads after number ``after``, oldest first, followed by ``_id``."""
        found: list[tuple[int, ReadRecord]] = []
        version = after
        while len(found) < limit:
            commit: dict[str, Any] | None = await self.store.commits.find_one(
                {"_id": commit_id(resident_id, version + 1)}, {"state.read": 1, "version": 1})
            if commit is None:
                break
            version = commit["version"]
            found.append((version, ReadRecord(**commit["state"]["read"])))
        return found


@dataclass(frozen=True)
class QuotaAlert:
    """A reader went over the quota of unmasked reads in one window (one alert per reader per window)."""

    alert_id: str
    reader: str
    reader_role: str
    reader_scope: str
    limit: int
    window_start: datetime
    window_end: datetime
    raised_at: datetime


class AlertLog:
    """Insert-only: ``_id`` is ``<reader>|<window start>``, so a second refusal in the same window
    finds the alert already there (a duplicate key) and raises nothing new, on any replica."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._alerts = db[ALERTS]

    async def ensure_indexes(self) -> None:
        await self._alerts.create_index([("raised_at", ASCENDING), ("_id", ASCENDING)])

    async def raise_once(self, alert: QuotaAlert) -> bool:
        try:
            await self._alerts.insert_one({"_id": alert.alert_id, **asdict(alert)})
        except DuplicateKeyError:
            return False
        return True

    async def page(self, after: str | None, limit: int) -> list[QuotaAlert]:
        """Alerts in ``_id`` order (reader, then window); ``after``: the last ``alert_id`` seen."""
        query = {"_id": {"$gt": after}} if after else {}
        cursor = self._alerts.find(query).sort("_id", ASCENDING).limit(limit)
        return [QuotaAlert(**{k: v for k, v in doc.items() if k != "_id"}) async for doc in cursor]


@dataclass(frozen=True)
class TaskListRead:
    """A page of task views (names, addresses, quarantine status) served to a compound volunteer:
    who, when, and the ids of the residents shown (never their names or addresses)."""

    list_id: str
    read_by: str
    reader_role: str
    reader_scope: str
    resident_ids: list[str]
    shown: int
    served_at: datetime


class TaskListLog:
    """Insert-only, one document per page served; ``_id`` (``tlr_…``) sorts by time."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._lists = db[TASK_LISTS]

    async def ensure_indexes(self) -> None:
        await self._lists.create_index([("read_by", ASCENDING), ("_id", ASCENDING)])

    async def record(self, read: TaskListRead) -> None:
        await self._lists.insert_one({"_id": read.list_id, **asdict(read)})

    async def by(self, reader: str, since: datetime | None, until: datetime | None, after: str | None,
                 limit: int) -> list[TaskListRead]:
        query: dict[str, Any] = {"read_by": reader}
        when = _between(since, until)
        if when:
            query["served_at"] = when
        return [TaskListRead(**{k: v for k, v in doc.items() if k != "_id"})
                for doc in await page_by_id(self._lists, query, after, limit)]
