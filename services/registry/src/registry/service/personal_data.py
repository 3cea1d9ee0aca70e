"""Unmasked reads of a resident's personal data: only with a stated purpose, and always recorded.

The read is stored (with its audit event) before any value is returned: if recording fails,
nothing is shown. Which roles may read, and where, is decided by the api (role) and the scope
guard (grid scope); this use case checks the purpose and records who read what, and why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from towngrid_kit.auth import Principal
from towngrid_kit.errors import InvalidInput
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.audit_repository import AuditRepository, ReadLog, ReadRecord
from registry.domain.resident import Resident
from towngrid_kit.ids import new_id

ITEMS = ("national_id", "mobile", "address")


class PersonalDataService:
    def __init__(self, audit: AuditRepository, purposes: list[str]) -> None:
        self._audit = audit
        self._logs = UnitOfWork(audit, "read log")
        self._purposes = list(purposes)

    @property
    def purposes(self) -> list[str]:
        return list(self._purposes)

    async def read(self, resident: Resident, who: Principal, items: list[str], purpose: str,
                   note: str) -> tuple[ReadRecord, dict[str, str]]:
        if purpose not in self._purposes:
            raise InvalidInput(f"purpose must be one of: {', '.join(self._purposes)}", field="body.purpose")
        unknown = [i for i in items if i not in ITEMS]
        if unknown or not items:
            raise InvalidInput(f"items must be some of: {', '.join(ITEMS)}", field="body.items")
        chosen = [i for i in ITEMS if i in items]  # canonical order, no repeats
        record = ReadRecord(read_id=new_id("pdr"), resident_id=resident.resident_id, read_by=who.subject,
                            reader_role=who.role.value, reader_scope=who.scope, items=chosen, purpose=purpose,
                            note=note, read_at=datetime.now(UTC))
        await self._logs.change_or_create(resident.resident_id, lambda log: log.record(record),
                               lambda: ReadLog(resident.resident_id))
        return record, {item: getattr(resident.person, item) for item in chosen}

    async def reads(self, resident_id: str, after: int, limit: int) -> list[tuple[int, ReadRecord]]:
        return await self._audit.reads_of(resident_id, after, limit)
