"""Use cases of appeals against quarantine decisions: file one for a person, review it.

The rules (who may review, what an overturning does) are in ``registry.domain``; this loads,
calls them and stores the file with its events in one commit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from towngrid_kit.errors import NotFound
from registry.adapters.appeal_index import AppealIndex
from registry.domain.decisions import DEFAULT_APPEAL_REASONS, Appeal, ReasonCodes
from registry.domain.resident import Resident
from towngrid_kit.ids import new_id
from registry.service.residents import ResidentService


class AppealService:
    def __init__(self, residents: ResidentService, index: AppealIndex, reasons: ReasonCodes | None = None) -> None:
        self._residents = residents
        self._index = index
        self.reasons = reasons or ReasonCodes(DEFAULT_APPEAL_REASONS, "appeal")

    async def file(self, resident_id: str, quarantine_id: str, filed_by: str,
                   statement: str | None) -> tuple[Resident, Appeal]:
        """File an appeal against an open quarantine on the person's behalf."""
        resident = await self._residents.get(resident_id)
        resident.quarantine(quarantine_id)  # 404 before an id is claimed
        appeal_id = new_id("apl")
        await self._index.claim(appeal_id, resident_id)
        now = datetime.now(UTC)
        resident = await self._residents.change(
            resident_id, lambda r: r.file_appeal(appeal_id, quarantine_id, filed_by, statement, now))
        return resident, resident.appeal(appeal_id)

    async def resident_of(self, appeal_id: str) -> Resident:
        resident_id = await self._index.owner_of(appeal_id)
        resident = await self._residents.repository.get(resident_id) if resident_id else None
        if resident is None or not any(a.appeal_id == appeal_id for a in resident.appeals):
            raise NotFound(f"no appeal {appeal_id}")
        return resident

    async def decide(self, appeal_id: str, overturn: bool, reason_code: str, note: str | None,
                     by: str) -> tuple[Resident, Appeal]:
        """The review; overturned, the quarantine ends in the same commit (see ``Resident.decide_appeal``)."""
        self.reasons.check(reason_code, note)
        resident_id = (await self.resident_of(appeal_id)).resident_id
        now = datetime.now(UTC)
        resident = await self._residents.change(
            resident_id, lambda r: r.decide_appeal(appeal_id, overturn, reason_code, note, by, now))
        return resident, resident.appeal(appeal_id)
