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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import DutyPersonDataReencrypted, ResidentPersonalDataReencrypted, TipReporterReencrypted
from towngrid_kit.errors import NotFound
from towngrid_kit.repository import Repository
from towngrid_kit.unit_of_work import UnitOfWork
from registry.adapters.duty_repository import DutyPeopleRepository
from registry.adapters.mappers import SealedMapper
from registry.adapters.repository import ResidentRepository
from registry.adapters.sealing import KeyRing, SealError
from registry.adapters.tip_repository import TipRepository

A = TypeVar("A")


@dataclass
class RekeyReport:
    key_id: str
    checked: dict[str, int] = field(default_factory=dict)
    resealed: dict[str, int] = field(default_factory=dict)
    behind: dict[str, int] = field(default_factory=dict)  # still under an older key (check only)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # sealed under a key not in the ring


class Rekeying:
    def __init__(self, ring: KeyRing, residents: ResidentRepository, tips: TipRepository,
                 duty: DutyPeopleRepository) -> None:
        self._ring = ring
        self._kinds: list[tuple[str, Sealed, Callable[[str], EventData]]] = [
            ("residents", Sealed(residents, residents.sealing, "resident"),
             lambda i: ResidentPersonalDataReencrypted(resident_id=i, key_id=ring.current_id,
                                                       reencrypted_at=datetime.now(UTC))),
            ("tips", Sealed(tips, tips.sealing, "tip"),
             lambda i: TipReporterReencrypted(tip_id=i, key_id=ring.current_id, reencrypted_at=datetime.now(UTC))),
            ("duty_people", Sealed(duty, duty.sealing, "person on duty"),
             lambda i: DutyPersonDataReencrypted(duty_person_id=i, key_id=ring.current_id,
                                                 reencrypted_at=datetime.now(UTC))),
        ]

    async def run(self, *, check_only: bool = False, batch: int = 200) -> RekeyReport:
        """Re-seal every record not under the current key (``check_only``: just count them)."""
        report = RekeyReport(self._ring.current_id)
        for kind, records, event in self._kinds:
            checked = changed = 0
            after: str | None = None
            while page := await records.repo.ids({"_id": {"$gt": after}} if after else {}, limit=batch):
                for record_id in page:
                    checked += 1
                    try:
                        changed += await records.reseal(record_id, event, check_only)
                    except SealError:
                        report.unreadable.setdefault(kind, []).append(record_id)
                after = page[-1]
            report.checked[kind] = checked
            (report.behind if check_only else report.resealed)[kind] = changed
        return report


class Sealed(Generic[A]):
    """The records of one kind with sealed personal data, changed through the kit's unit of work."""

    def __init__(self, repo: Repository[A], sealing: SealedMapper[A], what: str) -> None:
        self.repo = repo
        self._sealing = sealing
        self._records = UnitOfWork(repo, what)

    async def _behind(self, record_id: str) -> bool:
        found = await self.repo.store.load(record_id)
        return found is not None and self._sealing.needs_resealing(found[0])

    async def reseal(self, record_id: str, event: Callable[[str], EventData], check_only: bool) -> bool:
        """Whether the record was (``check_only``: is) behind the current key; re-sealed by a
        commit with ``event`` (the state is sealed under the current key by every save)."""
        behind = await self._behind(record_id)
        if check_only or not behind:
            return behind
        resealed: list[bool] = []

        async def reseal_latest(record: A) -> None:
            # the stored state as of now: if another change re-sealed it meanwhile, nothing to do;
            # if it is newer than ``record`` and still behind, the save collides and all runs again
            resealed[:] = [await self._behind(record_id)]
            if resealed[0]:
                record.pending.append(event(record_id))  # type: ignore[attr-defined]

        try:
            await self._records.change(record_id, reseal_latest)
        except NotFound:
            return False
        return resealed[0]


def as_dict(report: RekeyReport) -> dict[str, Any]:
    return {"key_id": report.key_id, "checked": report.checked, "resealed": report.resealed, "behind": report.behind,
            "unreadable": report.unreadable}
