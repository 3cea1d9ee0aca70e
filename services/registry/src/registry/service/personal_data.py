"""Unmasked reads of a resident's personal data: only with a stated purpose, and always recorded.

The read is stored (with its audit event) before any value is returned: if recording fails,
nothing is shown. Which roles may read, and where, is decided by the api (role) and the scope
guard (grid scope); this use case checks the purpose and records who read what, and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from towngrid_kit.auth import Principal
from towngrid_kit.errors import InvalidInput
from towngrid_kit.unit_of_work import UnitOfWork
from towngrid_kit.ratelimit import FixedWindowLimiter
from registry.adapters.audit_repository import (AlertLog, AuditRepository, QuotaAlert, ReadLog, ReadRecord,
                                                TaskListLog, TaskListRead)
from registry.domain.resident import Resident
from towngrid_kit.ids import new_id, ordered_id

ITEMS = ("national_id", "mobile", "address")
QUOTA_WINDOW_S = 3600.0


class QuotaExceeded(Exception):
    """The reader has used up this hour's unmasked reads; nothing is shown until ``retry_after_s``."""

    def __init__(self, limit: int, retry_after_s: float) -> None:
        super().__init__(f"at most {limit} unmasked reads per hour by one person")
        self.limit = limit
        self.retry_after_s = retry_after_s


class PersonalDataService:
    def __init__(self, audit: AuditRepository, purposes: list[str], limiter: FixedWindowLimiter, alerts: AlertLog,
                 task_lists: TaskListLog, reads_per_hour: int, clock: Callable[[], float] = time.time) -> None:
        self._audit = audit
        self._logs = UnitOfWork(audit, "read log")
        self._purposes = list(purposes)
        self._limiter = limiter
        self._alerts = alerts
        self._per_hour = reads_per_hour
        self._clock = clock
        self._task_lists = task_lists

    @property
    def purposes(self) -> list[str]:
        return list(self._purposes)

    async def read(self, resident: Resident, who: Principal, items: list[str], purpose: str,
                   note: str, earlier: bool = False) -> tuple[ReadRecord, dict[str, Any]]:
        """The values of ``items`` (and with ``earlier``, those re-registrations replaced: ``"earlier"``)."""
        if purpose not in self._purposes:
            raise InvalidInput(f"purpose must be one of: {', '.join(self._purposes)}", field="body.purpose")
        unknown = [i for i in items if i not in ITEMS]
        if unknown or not items:
            raise InvalidInput(f"items must be some of: {', '.join(ITEMS)}", field="body.items")
        chosen = [i for i in ITEMS if i in items]  # canonical order, no repeats
        await self._within_quota(who)
        record = ReadRecord(read_id=new_id("pdr"), resident_id=resident.resident_id, read_by=who.subject,
                            reader_role=who.role.value, reader_scope=who.scope, items=chosen, purpose=purpose,
                            note=note, read_at=datetime.now(UTC), earlier=earlier)
        await self._logs.change_or_create(resident.resident_id, lambda log: log.record(record),
                               lambda: ReadLog(resident.resident_id))
        values: dict[str, Any] = {item: getattr(resident.person, item) for item in chosen}
        if earlier:
            values["earlier"] = resident.person.earlier_of(chosen)
        return record, values

    async def reads(self, resident_id: str, after: int, limit: int) -> list[tuple[int, ReadRecord]]:
        return await self._audit.reads_of(resident_id, after, limit)

    async def reads_by(self, reader: str, since: datetime | None, until: datetime | None, after: str | None,
                       limit: int) -> list[tuple[int, ReadRecord]]:
        return await self._audit.reads_by(reader, since, until, after, limit)

    async def alerts(self, after: str | None, limit: int) -> list[QuotaAlert]:
        return await self._alerts.page(after, limit)

    async def _within_quota(self, who: Principal) -> None:
        """Counts this read against the reader's hour (across replicas: the kit's insert-only
        window slots); over it, raises the hour's alert once and refuses."""
        now = self._clock()
        wait = await self._limiter.take(f"unmasked|{who.subject}", self._per_hour, QUOTA_WINDOW_S)
        if not wait:
            return
        start = datetime.fromtimestamp(now // QUOTA_WINDOW_S * QUOTA_WINDOW_S, UTC)
        end = datetime.fromtimestamp((now // QUOTA_WINDOW_S + 1) * QUOTA_WINDOW_S, UTC)
        await self._alerts.raise_once(QuotaAlert(
            alert_id=f"{who.subject}|{start.isoformat()}", reader=who.subject, reader_role=who.role.value,
            reader_scope=who.scope, limit=self._per_hour, window_start=start, window_end=end,
            raised_at=datetime.now(UTC)))
        raise QuotaExceeded(self._per_hour, wait)

    async def task_list_served(self, who: Principal, resident_ids: list[str]) -> None:
        """Records a page of task views (names, addresses, quarantine status) before it is served:
        one record per page, with the ids shown — not one read per resident (a page is one act
        of looking, and up to 200 commits per page would be the cost), and never the values."""
        await self._task_lists.record(TaskListRead(
            list_id=ordered_id("tlr"), read_by=who.subject, reader_role=who.role.value, reader_scope=who.scope,
            resident_ids=list(resident_ids), shown=len(resident_ids), served_at=datetime.now(UTC)))

    async def task_lists_by(self, reader: str, since: datetime | None, until: datetime | None, after: str | None,
                            limit: int) -> list[TaskListRead]:
        return await self._task_lists.by(reader, since, until, after, limit)
