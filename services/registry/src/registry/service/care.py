"""Use cases of vulnerable residents: enrolment, helpers, visits (a delivered relief parcel counts), visits missed."""

from __future__ import annotations

from datetime import UTC, datetime

from registry.domain.care import CareVisit
from registry.domain.resident import Resident
from towngrid_kit.grid import within_compounds
from towngrid_kit.ids import new_id
from registry.service.resident_files import ResidentFiles


class CareUseCases(ResidentFiles):
    """The care of vulnerable residents (part of ``ResidentService``)."""

    async def enrol_vulnerable(self, resident_id: str, category: str, visit_every_days: int,
                               relief_every_days: int | None, helper_id: str | None,
                               enrolled_at: datetime | None) -> Resident:
        at = enrolled_at or datetime.now(UTC)
        pair_id = new_id("pair")

        def change(r: Resident) -> None:
            r.enrol_vulnerable(category, visit_every_days, relief_every_days, at)
            if helper_id is not None:
                r.pair_helper(pair_id, helper_id, at)

        return await self.change(resident_id, change)

    async def pair_helper(self, resident_id: str, helper_id: str) -> Resident:
        pair_id, now = new_id("pair"), datetime.now(UTC)
        return await self.change(resident_id, lambda r: r.pair_helper(pair_id, helper_id, now))

    async def record_visit(self, resident_id: str, kind: str, supplies: list[str], by: str,
                           at: datetime | None) -> tuple[Resident, CareVisit]:
        visit = CareVisit(new_id("vis"), kind, by, at or datetime.now(UTC), supplies)
        return await self.change(resident_id, lambda r: r.record_visit(visit)), visit

    async def record_relief_parcel(self, resident_id: str, parcel_id: str, items: list[str], courier_id: str,
                                   delivered_at: datetime) -> bool:
        """A delivered relief parcel counts as a visit (once per parcel); False when already recorded or unknown."""
        visit = CareVisit(f"vis_{parcel_id}", "relief_parcel", courier_id, delivered_at, list(items), parcel_id)
        return await self._change_if_known(resident_id, lambda r: r.care is not None and r.record_visit(visit))

    async def flag_missed_visits(self, resident_id: str, now: datetime) -> int:
        return await self._count_and_save(resident_id, lambda r: r.flag_missed_visits(now))

    async def page_vulnerable(self, category: str | None, after: str | None, limit: int,
                              compound_ids: list[str] | None = None) -> list[Resident]:
        filters = within_compounds(compound_ids) | (
            {"care_category": category} if category else {"care_category": {"$ne": None}})
        return await self._repo.find(filters, after=after, limit=limit)
