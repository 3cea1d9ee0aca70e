"""Resident <-> the state stored in its commits. Dates are stored as ISO strings (BSON has no date-only type)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.resident import HealthCheck, Person, Quarantine, Resident, ReturnRecord


def to_state(resident: Resident) -> dict[str, Any]:
    return {
        "resident_id": resident.resident_id,
        "person": asdict(resident.person),
        "household_id": resident.household_id,
        "compound_id": resident.compound_id,
        "neighbour_group_id": resident.neighbour_group_id,
        "checklist": _checklist_doc(resident.checklist) if resident.checklist else None,
        "returns": [{**asdict(r), "arrived_on": r.arrived_on.isoformat()} for r in resident.returns],
        "quarantines": [_quarantine_doc(q) for q in resident.quarantines],
    }


def _quarantine_doc(q: Quarantine) -> dict[str, Any]:
    return {
        "quarantine_id": q.quarantine_id,
        "kind": q.kind,
        "started_at": q.started_at,
        "planned_end": q.planned_end.isoformat(),
        "ended_at": q.ended_at,
        "outcome": q.outcome,
        "checks": [asdict(c) for c in q.checks],
    }


def _checklist_doc(c: Checklist) -> dict[str, Any]:
    return {
        "checklist_id": c.checklist_id,
        "opened_at": c.opened_at,
        "escalation_period_s": c.escalation_period.total_seconds(),
        "chain": [[level, unit] for level, unit in c.chain],
        "items": [asdict(i) for i in c.items],
        "completed_at": c.completed_at,
    }


def _checklist(doc: dict[str, Any] | None) -> Checklist | None:
    if not doc:
        return None
    return Checklist(
        checklist_id=doc["checklist_id"], opened_at=doc["opened_at"],
        escalation_period=timedelta(seconds=doc["escalation_period_s"]),
        chain=[(level, unit) for level, unit in doc["chain"]],
        items=[ChecklistItem(**i) for i in doc["items"]],
        completed_at=doc.get("completed_at"),
    )


def from_state(doc: dict[str, Any], version: int) -> Resident:
    return Resident(
        resident_id=doc["resident_id"],
        person=Person(**doc["person"]),
        household_id=doc["household_id"],
        compound_id=doc["compound_id"],
        neighbour_group_id=doc.get("neighbour_group_id"),
        checklist=_checklist(doc.get("checklist")),
        version=version,
        returns=[
            ReturnRecord(**{**r, "arrived_on": date.fromisoformat(r["arrived_on"])}) for r in doc.get("returns", [])
        ],
        quarantines=[
            Quarantine(
                quarantine_id=q["quarantine_id"],
                kind=q["kind"],
                started_at=q["started_at"],
                planned_end=date.fromisoformat(q["planned_end"]),
                ended_at=q.get("ended_at"),
                outcome=q.get("outcome"),
                checks=[HealthCheck(**c) for c in q.get("checks", [])],
            )
            for q in doc.get("quarantines", [])
        ],
    )
