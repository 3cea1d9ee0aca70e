"""People on duty (one aggregate per person) and checkpoint coverage (one per checkpoint)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.repository import Repository
from registry.adapters.mappers import SealedMapper, StateMapper
from registry.adapters.sealing import KeyRing
from registry.domain.duty import CheckpointCoverage, DutyPerson, Shift

DUTY_STORE = "duty_people"
COVERAGE_STORE = "checkpoint_coverage"


def person_state(p: DutyPerson) -> dict[str, Any]:
    return {"person_id": p.person_id, "name": p.name, "mobile": p.mobile, "kind": p.kind,
            "unit_level": p.unit_level, "unit_id": p.unit_id, "community_id": p.community_id,
            "compound_id": p.compound_id, "shifts": [asdict(s) for s in p.shifts]}


def person_from(doc: dict[str, Any], version: int) -> DutyPerson:
    return DutyPerson(**{**doc, "shifts": [Shift(**s) for s in doc.get("shifts", [])], "version": version})


def coverage_state(c: CheckpointCoverage) -> dict[str, Any]:
    return {"checkpoint_id": c.checkpoint_id, "compound_id": c.compound_id, "community_id": c.community_id,
            "open_gaps": [{"start": s, "end": e, "rostered": n} for s, (e, n) in sorted(c.open_gaps.items())]}


def coverage_from(doc: dict[str, Any], version: int) -> CheckpointCoverage:
    return CheckpointCoverage(doc["checkpoint_id"], doc["compound_id"], doc["community_id"], version,
                              {g["start"]: (g["end"], g["rostered"]) for g in doc.get("open_gaps", [])})


class DutyPeopleRepository(Repository[DutyPerson]):
    def __init__(self, db: AsyncDatabase, ring: KeyRing) -> None:
        self.sealing = SealedMapper(StateMapper(lambda p: p.person_id, person_state, person_from, _person_fields),
                                    ring, kind="duty_person", items=("mobile",), id_field="person_id")
        super().__init__(db, DUTY_STORE, self.sealing, indexed=["unit_id"])

    async def ensure_indexes(self) -> None:
        await super().ensure_indexes()
        await self.store.ensure_indexes([("shift_checkpoints", ASCENDING)])

    async def people(self, unit_id: str | None, after: str | None, limit: int, community_id: str | None = None,
                     compound_id: str | None = None) -> list[DutyPerson]:
        """People in id order, of ``unit_id`` if given, and only those placed in ``compound_id``/``community_id``."""
        query: dict[str, Any] = {}
        if unit_id:
            query["unit_id"] = unit_id
        if compound_id is not None:
            query["compound_id"] = compound_id
        elif community_id is not None:
            query["community_id"] = community_id
        return await self.find(query, after=after, limit=limit)

    async def shifts_at(self, checkpoint_ids: list[str] | None, ending_after: datetime) -> list[Shift]:
        """Shifts at these checkpoints (all when None) that end after ``ending_after``."""
        query: dict[str, Any] = {"last_shift_end": {"$gt": ending_after}}
        if checkpoint_ids is not None:
            query["shift_checkpoints"] = {"$in": checkpoint_ids}
        found = []
        for doc in await self.store.current_docs(query):
            found += [Shift(**s) for s in doc["state"]["shifts"]
                      if s["ends_at"] > ending_after and (checkpoint_ids is None or s["checkpoint_id"] in checkpoint_ids)]
        return found


def _person_fields(p: DutyPerson) -> dict[str, Any]:
    return {"unit_id": p.unit_id, "community_id": p.community_id, "compound_id": p.compound_id,
            "shift_checkpoints": sorted({s.checkpoint_id for s in p.shifts}),
            "last_shift_end": max((s.ends_at for s in p.shifts), default=None)}


class CoverageRepository(Repository[CheckpointCoverage]):
    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db, COVERAGE_STORE, StateMapper(lambda c: c.checkpoint_id, coverage_state, coverage_from,
                                                         lambda c: {"gaps": len(c.open_gaps)}))

    async def ensure_indexes(self) -> None:
        await self.store.ensure_indexes([("gaps", ASCENDING)])

    async def checkpoints_with_gaps(self) -> int:
        return await self.count({"gaps": {"$gt": 0}})
