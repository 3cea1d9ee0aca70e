"""People on duty (one aggregate per person) and checkpoint coverage (one per checkpoint)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.commits import AggregateStore
from registry.adapters.sealing import KeyRing, needs_resealing, open_items, seal_items
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


class DutyRepository:
    def __init__(self, db: AsyncDatabase, ring: KeyRing) -> None:
        self._ring = ring  # seals each person's mobile at rest
        self._people = AggregateStore(db, DUTY_STORE)
        self._coverage = AggregateStore(db, COVERAGE_STORE)

    async def ensure_indexes(self) -> None:
        await self._people.ensure_indexes([("shift_checkpoints", ASCENDING)], [("unit_id", ASCENDING), ("_id", ASCENDING)])
        await self._coverage.ensure_indexes([("gaps", ASCENDING)])

    async def person(self, person_id: str) -> DutyPerson | None:
        found = await self._people.load(person_id)
        return self.opened(*found) if found else None

    def opened(self, state: dict[str, Any], version: int) -> DutyPerson:
        return person_from(open_items(self._ring, state, kind="duty_person", record_id=state["person_id"]), version)

    def needs_resealing(self, state: dict[str, Any]) -> bool:
        return needs_resealing(self._ring, state)

    async def load_raw(self, person_id: str) -> tuple[dict[str, Any], int] | None:
        return await self._people.load(person_id)

    async def person_ids(self, after: str | None, limit: int) -> list[str]:
        query = {"_id": {"$gt": after}} if after else {}
        return await self._people.ids(query, limit=limit)

    async def save_person(self, p: DutyPerson) -> None:
        events, p.pending = p.pending, []
        sealed = seal_items(self._ring, person_state(p), ("mobile",), kind="duty_person", record_id=p.person_id)
        p.version = await self._people.commit(p.person_id, p.version, sealed, events, index_fields={
            "unit_id": p.unit_id, "community_id": p.community_id, "compound_id": p.compound_id,
            "shift_checkpoints": sorted({s.checkpoint_id for s in p.shifts}),
            "last_shift_end": max((s.ends_at for s in p.shifts), default=None)})

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
        if after:
            query["_id"] = {"$gt": after}
        return [self.opened(d["state"], d["version"]) for d in await self._people.current_docs(query, limit=limit)]

    async def shifts_at(self, checkpoint_ids: list[str] | None, ending_after: datetime) -> list[Shift]:
        """Shifts at these checkpoints (all when None) that end after ``ending_after``."""
        query: dict[str, Any] = {"last_shift_end": {"$gt": ending_after}}
        if checkpoint_ids is not None:
            query["shift_checkpoints"] = {"$in": checkpoint_ids}
        found = []
        for doc in await self._people.current_docs(query):
            found += [Shift(**s) for s in doc["state"]["shifts"]
                      if s["ends_at"] > ending_after and (checkpoint_ids is None or s["checkpoint_id"] in checkpoint_ids)]
        return found

    async def coverage(self, checkpoint_id: str) -> CheckpointCoverage | None:
        found = await self._coverage.load(checkpoint_id)
        return coverage_from(*found) if found else None

    async def save_coverage(self, c: CheckpointCoverage) -> None:
        events, c.pending = c.pending, []
        c.version = await self._coverage.commit(c.checkpoint_id, c.version, coverage_state(c), events,
                                                index_fields={"gaps": len(c.open_gaps)})

    async def checkpoints_with_gaps(self) -> int:
        return await self._coverage.fields.count_documents({"gaps": {"$gt": 0}})
