"""Key rotation: seal every record's personal data again under the current key.

Each record that is still plaintext, or sealed under an older key of the ring, gets ONE new
commit (the kit's insert-only store: ``<id>@<version+1>``) with its data sealed under the
current key and a ``…_reencrypted`` event. Nothing is updated in place: FerretDB loses one of
two concurrent updates of a document, whereas two commits based on the same version collide on
the unique ``_id``; the loser (this job, or an api/worker change racing it) reloads and tries
again. So rotation is safe while the services run, and running it twice changes nothing.

Older commits of a record keep the ciphertexts of their time. Nothing reads them (every read
takes the latest commit), and once the old key leaves the ring they cannot be opened by anyone:
removing a key shreds those historic copies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from towngrid_contracts.registry import DutyPersonDataReencrypted, ResidentPersonalDataReencrypted, TipReporterReencrypted
from towngrid_kit.concurrency import retry_on_conflict
from registry.adapters.duty_repository import DutyRepository
from registry.adapters.repository import ResidentRepository
from registry.adapters.sealing import KeyRing, SealError
from registry.adapters.tip_repository import TipRepository


@dataclass
class RekeyReport:
    key_id: str
    checked: dict[str, int] = field(default_factory=dict)
    resealed: dict[str, int] = field(default_factory=dict)
    behind: dict[str, int] = field(default_factory=dict)  # still under an older key (check only)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # sealed under a key not in the ring


class Rekeying:
    def __init__(self, ring: KeyRing, residents: ResidentRepository, tips: TipRepository, duty: DutyRepository) -> None:
        self._ring = ring
        self._residents = residents
        self._tips = tips
        self._duty = duty

    async def run(self, *, check_only: bool = False, batch: int = 200) -> RekeyReport:
        """Re-seal every record not under the current key (``check_only``: just count them)."""
        report = RekeyReport(self._ring.current_id)
        kinds: list[tuple[str, Callable[[str | None, int], Awaitable[list[str]]], Callable[[str, bool], Awaitable[bool]]]] = [
            ("residents", self._residents.ids, self._resident),
            ("tips", self._tips.tip_ids, self._tip),
            ("duty_people", self._duty.person_ids, self._duty_person),
        ]
        for kind, ids, reseal in kinds:
            checked = changed = 0
            after: str | None = None
            while page := await ids(after, batch):
                for record_id in page:
                    checked += 1
                    try:
                        changed += await reseal(record_id, check_only)
                    except SealError:
                        report.unreadable.setdefault(kind, []).append(record_id)
                after = page[-1]
            report.checked[kind] = checked
            (report.behind if check_only else report.resealed)[kind] = changed
        return report

    async def _resident(self, resident_id: str, check_only: bool) -> bool:
        async def attempt() -> bool:
            found = await self._residents.load_raw(resident_id)
            if found is None or not self._residents.needs_resealing(found[0]):
                return False
            if check_only:
                return True
            resident = self._residents.opened(*found)
            resident.pending.append(ResidentPersonalDataReencrypted(
                resident_id=resident_id, key_id=self._ring.current_id, reencrypted_at=datetime.now(UTC)))
            await self._residents.save(resident)
            return True

        return await retry_on_conflict(attempt)

    async def _tip(self, tip_id: str, check_only: bool) -> bool:
        async def attempt() -> bool:
            found = await self._tips.load_raw(tip_id)
            if found is None or not self._tips.needs_resealing(found[0]):
                return False
            if check_only:
                return True
            tip = self._tips.opened(*found)
            tip.pending.append(TipReporterReencrypted(tip_id=tip_id, key_id=self._ring.current_id,
                                                      reencrypted_at=datetime.now(UTC)))
            await self._tips.save(tip)
            return True

        return await retry_on_conflict(attempt)

    async def _duty_person(self, person_id: str, check_only: bool) -> bool:
        async def attempt() -> bool:
            found = await self._duty.load_raw(person_id)
            if found is None or not self._duty.needs_resealing(found[0]):
                return False
            if check_only:
                return True
            person = self._duty.opened(*found)
            person.pending.append(DutyPersonDataReencrypted(duty_person_id=person_id, key_id=self._ring.current_id,
                                                            reencrypted_at=datetime.now(UTC)))
            await self._duty.save_person(person)
            return True

        return await retry_on_conflict(attempt)


def as_dict(report: RekeyReport) -> dict[str, Any]:
    return {"key_id": report.key_id, "checked": report.checked, "resealed": report.resealed, "behind": report.behind,
            "unreadable": report.unreadable}
