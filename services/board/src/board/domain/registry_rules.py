"""How the registry's events change the board's states: residents' files, tips, checkpoints,
the grid, isolation sites (see ``rules``)."""

from __future__ import annotations

from datetime import timezone
from typing import Any

from board.domain.days import bump_day, day_of

State = dict[str, Any]
ESCALATED_LEVELS = ("compound", "community", "town")  # beyond the neighbour group's own follow-up


# ----- registry: residents ---------------------------------------------------------------------

def _returned(s: State, e: Any, tz: timezone) -> None:
    s["compound_id"] = e.compound_id
    s.setdefault("returned_on", None)
    if s["returned_on"] is None:  # the first registration counts (as the registry's figures)
        s["returned_on"] = day_of(s["_occurred_at"], tz)
    s["arrived_on"] = e.arrived_on.isoformat()  # the day they came back, as the latest registration says


def _quarantine_started(s: State, e: Any, tz: timezone) -> None:
    s["compound_id"] = e.compound_id
    s["quarantine_kind"] = e.kind
    s["missed_open"] = 0


def _quarantine_ended(s: State, e: Any, tz: timezone) -> None:
    s["quarantine_kind"] = None
    s["missed_open"] = 0


def _check_missed(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("compound_id", e.compound_id)
    s["missed"] = bump_day(s.get("missed", {}), day_of(e.flagged_at, tz))
    s["missed_open"] = s.get("missed_open", 0) + 1


def _fever(s: State, e: Any, tz: timezone) -> None:
    s["fevers"] = bump_day(s.get("fevers", {}), day_of(e.checked_at, tz))


def _item_overdue(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("compound_id", e.compound_id)
    s["overdue_items"] = {**s.get("overdue_items", {}), e.item_code: e.escalation_level in ESCALATED_LEVELS}


def _item_verified(s: State, e: Any, tz: timezone) -> None:
    s["overdue_items"] = {k: v for k, v in s.get("overdue_items", {}).items() if k != e.item_code}


def _checklist_completed(s: State, e: Any, tz: timezone) -> None:
    s["overdue_items"] = {}


def _enrolled(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("compound_id", e.compound_id)
    s["care_category"] = e.category
    s["visit_missed"] = False


def _visit_missed(s: State, e: Any, tz: timezone) -> None:
    s["visit_missed"] = True


def _visit_recorded(s: State, e: Any, tz: timezone) -> None:
    s["visit_missed"] = False


def _left_town(s: State, e: Any, tz: timezone) -> None:
    s["left_town"] = True


# ----- registry: tips, checkpoints, the grid, isolation -----------------------------------------

def _tip_reported(s: State, e: Any, tz: timezone) -> None:
    s.update(compound_id=e.compound_id, tip_kind=e.kind, screened=False, confirmed=False)


def _tip_screened(s: State, e: Any, tz: timezone) -> None:
    s.update(screened=True, confirmed=e.outcome != "no_issue_found")


def _gap(s: State, e: Any, tz: timezone) -> None:
    s.update(compound_id=e.compound_id, community_id=e.community_id)
    s["gaps"] = sorted({*s.get("gaps", []), e.shift_start.isoformat()})


def _restored(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("compound_id", e.compound_id)
    s["gaps"] = [g for g in s.get("gaps", []) if g != e.shift_start.isoformat()]


def _community(s: State, e: Any, tz: timezone) -> None:
    s["communities"] = sorted({*s.get("communities", []), e.community_id})


def _compound(s: State, e: Any, tz: timezone) -> None:
    _community(s, e, tz)
    s["compounds"] = {**s.get("compounds", {}), e.compound_id: e.community_id}


def _room_added(s: State, e: Any, tz: timezone) -> None:
    rooms = s.get("rooms", {})
    rooms[e.room_id] = {"capacity": e.capacity, "occupied": rooms.get(e.room_id, {}).get("occupied", 0)}
    s["rooms"] = rooms


def _admitted(s: State, e: Any, tz: timezone) -> None:
    rooms = s.get("rooms", {})
    room = rooms.setdefault(e.room_id, {"capacity": 0, "occupied": 0})
    room["occupied"] += 1
    s["rooms"] = rooms


def _discharged(s: State, e: Any, tz: timezone) -> None:
    rooms = s.get("rooms", {})
    room = rooms.setdefault(e.room_id, {"capacity": 0, "occupied": 0})
    room["occupied"] = max(room["occupied"] - 1, 0)
    s["rooms"] = rooms


RULES = {
    "registry.resident.returned": _returned,
    "registry.quarantine.started": _quarantine_started,
    "registry.quarantine.ended": _quarantine_ended,
    "registry.quarantine.health_check_missed": _check_missed,
    "registry.quarantine.fever_alert_raised": _fever,
    "registry.checklist.item_overdue": _item_overdue,
    "registry.checklist.item_verified": _item_verified,
    "registry.checklist.completed": _checklist_completed,
    "registry.vulnerable_resident.enrolled": _enrolled,
    "registry.care_visit.missed": _visit_missed,
    "registry.care_visit.recorded": _visit_recorded,
    "registry.resident.left_town": _left_town,
    "registry.tip.reported": _tip_reported,
    "registry.tip.screened": _tip_screened,
    "registry.checkpoint.coverage_gap_detected": _gap,
    "registry.checkpoint.coverage_restored": _restored,
    "registry.grid.community_registered": _community,
    "registry.grid.compound_registered": _compound,
    "registry.isolation.room_added": _room_added,
    "registry.isolation.admitted": _admitted,
    "registry.isolation.discharged": _discharged,
}
