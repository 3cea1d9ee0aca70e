"""Resident <-> the state stored in its commits. Dates are stored as ISO strings (BSON has no date-only type)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from registry.domain.resident import HealthCheck, Person, Quarantine, Resident, ReturnRecord


def to_state(resident: Resident) -> dict[str, Any]:
    return {
        "resident_id": resident.resident_id,
        "person": asdict(resident.person),
        "household_id": resident.household_id,
        "compound_id": resident.compound_id,
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


def from_state(doc: dict[str, Any], version: int) -> Resident:
    return Resident(
        resident_id=doc["resident_id"],
        person=Person(**doc["person"]),
        household_id=doc["household_id"],
        compound_id=doc["compound_id"],
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
