"""Use cases of tips: intake (public or by staff), checked against registered returnees; screening."""

from __future__ import annotations

from datetime import UTC, datetime

from towngrid_kit.errors import InvalidInput
from towngrid_kit.grid import within_compounds
from towngrid_kit.ids import new_id
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.repository import ResidentRepository
from registry.adapters.tip_repository import TipRepository
from registry.domain.tip import Reporter, Tip


class TipService:
    def __init__(self, repository: TipRepository, residents: ResidentRepository) -> None:
        self._repo = repository
        self._residents = residents
        self._tips = UnitOfWork(repository, "tip")

    async def report(self, *, kind: str, channel: str, compound_id: str, description: str,
                     subject_national_id: str | None, reporter: Reporter | None) -> Tip:
        """Take a tip; if it names a person by national ID, check whether they are registered."""
        matched = None
        if subject_national_id:
            matched = await self._residents.find_by_national_id(subject_national_id)
        tip = Tip.report(new_id("tip"), new_id("task"), kind, channel, compound_id, description, reporter,
                         matched, datetime.now(UTC))
        return await self._tips.add(tip)

    async def get(self, tip_id: str) -> Tip:
        return await self._tips.get(tip_id)

    async def screen(self, tip_id: str, outcome: str, resident_id: str | None, note: str | None, by: str) -> Tip:
        if resident_id is not None and await self._residents.get(resident_id) is None:
            raise InvalidInput(f"no resident {resident_id}", field="body.resident_id")

        return await self._tips.change(tip_id, lambda t: t.screen(outcome, resident_id, note, by, datetime.now(UTC)))

    async def count_open(self) -> int:
        return await self._repo.count({"open": True})

    async def page(self, compound_ids: list[str] | None, open_only: bool | None, after: str | None,
                   limit: int) -> list[Tip]:
        """Tips in id order; only those of ``compound_ids`` unless None."""
        filters = within_compounds(compound_ids)
        if open_only is not None:
            filters["open"] = open_only
        return await self._repo.find(filters, after=after, limit=limit)
