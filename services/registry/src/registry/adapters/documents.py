"""Resident <-> the state stored in its commits. Dates are stored as ISO strings (BSON has no date-only type)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from registry.domain.care import Care, CareVisit
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.decisions import Appeal, Decision
from registry.domain.follow_up import ContactLink, PlannedEndChange
from registry.domain.resident import EarlierValues, HealthCheck, Person, Quarantine, Resident, ReturnRecord


def to_state(resident: Resident) -> dict[str, Any]:
    return {
        "resident_id": resident.resident_id,
        "person": _person_doc(resident.person),
        "household_id": resident.household_id,
        "compound_id": resident.compound_id,
        "neighbour_group_id": resident.neighbour_group_id,
        "checklist": _checklist_doc(resident.checklist) if resident.checklist else None,
        "care": _care_doc(resident.care) if resident.care else None,
        "left_town": resident.left_town,
        "contacts": [{**asdict(c), "last_contact_on": c.last_contact_on.isoformat()} for c in resident.contacts],
        "returns": [{**asdict(r), "arrived_on": r.arrived_on.isoformat()} for r in resident.returns],
        "quarantines": [_quarantine_doc(q) for q in resident.quarantines],
        "appeals": [asdict(a) for a in resident.appeals],
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
        "contact_of": q.contact_of,
        "changes": [{**asdict(c), "previous_planned_end": c.previous_planned_end.isoformat(),
                     "planned_end": c.planned_end.isoformat()} for c in q.changes],
        "missed_days": [d.isoformat() for d in q.missed_days],
        "decisions": [asdict(d) for d in q.decisions],
    }


def _care_doc(c: Care) -> dict[str, Any]:
    return {**asdict(c)}


def _care(doc: dict[str, Any] | None) -> Care | None:
    if not doc:
        return None
    return Care(**{**doc, "visits": [CareVisit(**v) for v in doc.get("visits", [])]})


def _checklist_doc(c: Checklist) -> dict[str, Any]:
    return {
        "checklist_id": c.checklist_id,
        "opened_at": c.opened_at,
        "escalation_period_s": c.escalation_period.total_seconds(),
        "chain": [{"level": level, "unit": unit} for level, unit in c.chain],  # FerretDB: no nested arrays
        "items": [asdict(i) for i in c.items],
        "completed_at": c.completed_at,
    }


def _checklist(doc: dict[str, Any] | None) -> Checklist | None:
    if not doc:
        return None
    return Checklist(
        checklist_id=doc["checklist_id"], opened_at=doc["opened_at"],
        escalation_period=timedelta(seconds=doc["escalation_period_s"]),
        chain=[(step["level"], step["unit"]) for step in doc["chain"]],
        items=[ChecklistItem(**i) for i in doc["items"]],
        completed_at=doc.get("completed_at"),
    )


def from_state(doc: dict[str, Any], version: int) -> Resident:
    return Resident(
        resident_id=doc["resident_id"],
        person=_person(doc["person"]),
        household_id=doc["household_id"],
        compound_id=doc["compound_id"],
        neighbour_group_id=doc.get("neighbour_group_id"),
        checklist=_checklist(doc.get("checklist")),
        care=_care(doc.get("care")),
        left_town=doc.get("left_town"),
        contacts=[ContactLink(**{**c, "last_contact_on": date.fromisoformat(c["last_contact_on"])})
                  for c in doc.get("contacts", [])],
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
                contact_of=q.get("contact_of"),
                changes=[PlannedEndChange(**{**c, "previous_planned_end": date.fromisoformat(c["previous_planned_end"]),
                                             "planned_end": date.fromisoformat(c["planned_end"])})
                         for c in q.get("changes", [])],
                missed_days=[date.fromisoformat(d) for d in q.get("missed_days", [])],
                decisions=[Decision(**d) for d in q.get("decisions", [])],
            )
            for q in doc.get("quarantines", [])
        ],
        appeals=[Appeal(**a) for a in doc.get("appeals", [])],
    )


def _person_doc(person: Person) -> dict[str, Any]:
    """Sealed as JSON (``SEALED_ITEMS``), so the times of ``earlier`` are ISO strings."""
    return {**asdict(person), "earlier": [{"replaced_at": e.replaced_at.isoformat(), "values": dict(e.values)}
                                          for e in person.earlier]}


def _person(doc: dict[str, Any]) -> Person:
    earlier = [EarlierValues(datetime.fromisoformat(e["replaced_at"]), dict(e["values"]))
               for e in doc.get("earlier") or []]
    return Person(national_id=doc["national_id"], name=doc["name"], mobile=doc["mobile"], address=doc["address"],
                  earlier=earlier)
