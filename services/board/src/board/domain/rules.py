"""How one event changes what the board keeps of its aggregate: plain Python, no I/O.

The board keeps one small state per aggregate (a resident's file, a permit, an order...),
holding only opaque ids, categories, dates and counts: never a name, a number or an address.
:func:`apply` takes the state as it was and an event, and gives the state after it. The
adapter stores the result under the aggregate's id with the event's ``aggregate_version``, so
an event already applied (a redelivery) is never applied again: every figure is a count over
these states (``figures``), so nothing is counted twice.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

State = dict[str, Any]
Rule = Callable[[State, Any, timezone], None]  # changes the state in place

KEEP_DAYS = 14  # per-day counts kept in a resident's state (fever alerts, missed checks)

# The topic an aggregate's events come on -> the kind of state the board keeps of it.
KINDS: dict[str, str] = {
    "registry.resident.v1": "resident",
    "registry.tip.v1": "tip",
    "registry.checkpoint.v1": "checkpoint",
    "registry.grid.v1": "grid",
    "registry.isolation.v1": "isolation",
    "permits.permit.v1": "permit",
    "delivery.order.v1": "order",
    "delivery.relief_parcel.v1": "parcel",
    "delivery.merchant.v1": "merchant",
    "labor.job_seeker.v1": "job_seeker",
    "labor.demand.v1": "demand",
    "labor.batch.v1": "batch",
    "labor.resumption.v1": "resumption",
}

ESCALATED_LEVELS = ("compound", "community", "town")  # beyond the neighbour group's own follow-up


def day_of(at: datetime, tz: timezone) -> str:
    return at.astimezone(tz).date().isoformat()


def _bump_day(counts: dict[str, int], day: str) -> dict[str, int]:
    counts = {**counts, day: counts.get(day, 0) + 1}
    return dict(sorted(counts.items())[-KEEP_DAYS:])


# ----- registry: residents ---------------------------------------------------------------------

def _returned(s: State, e: Any, tz: timezone) -> None:
    s["compound_id"] = e.compound_id
    s.setdefault("returned_on", None)
    if s["returned_on"] is None:  # the first registration counts (as the registry's figures)
        s["returned_on"] = day_of(s["_occurred_at"], tz)


def _quarantine_started(s: State, e: Any, tz: timezone) -> None:
    s["compound_id"] = e.compound_id
    s["quarantine_kind"] = e.kind
    s["missed_open"] = 0


def _quarantine_ended(s: State, e: Any, tz: timezone) -> None:
    s["quarantine_kind"] = None
    s["missed_open"] = 0


def _check_missed(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("compound_id", e.compound_id)
    s["missed"] = _bump_day(s.get("missed", {}), day_of(e.flagged_at, tz))
    s["missed_open"] = s.get("missed_open", 0) + 1


def _fever(s: State, e: Any, tz: timezone) -> None:
    s["fevers"] = _bump_day(s.get("fevers", {}), day_of(e.checked_at, tz))


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


# ----- permits ---------------------------------------------------------------------------------

def _permit_common(s: State, e: Any) -> None:
    s.update(permit_type=e.permit_type, holder_id=e.holder_resident_id, merchant_id=e.merchant_id)


def _applied(s: State, e: Any, tz: timezone) -> None:
    _permit_common(s, e)
    s.update(channel=e.channel, status="applied", applied_at=e.applied_at.isoformat())


def _issued(s: State, e: Any, tz: timezone) -> None:
    _permit_common(s, e)
    s.update(status="issued", ever_issued=True)
    if s.get("applied_at"):
        s["review_s"] = max((e.issued_at - datetime.fromisoformat(s["applied_at"])).total_seconds(), 0.0)


def _permit_status(status: str) -> Rule:
    def rule(s: State, e: Any, tz: timezone) -> None:
        _permit_common(s, e)
        s["status"] = status
    return rule


# ----- delivery --------------------------------------------------------------------------------

def _placed(s: State, e: Any, tz: timezone) -> None:
    s.update(compound_id=e.compound_id, merchant_id=e.merchant_id, order_channel=e.channel,
             status="placed", placed_at=e.placed_at.isoformat())


def _order_status(status: str, at: str | None = None) -> Rule:
    def rule(s: State, e: Any, tz: timezone) -> None:
        s["status"] = status
        if at is not None and s.get("placed_at"):
            s["latency_s"] = max((getattr(e, at) - datetime.fromisoformat(s["placed_at"])).total_seconds(), 0.0)
    return rule


def _parcel(status: str) -> Rule:
    def rule(s: State, e: Any, tz: timezone) -> None:
        s.update(compound_id=e.compound_id, status=status)
    return rule


def _merchant(s: State, e: Any, tz: timezone) -> None:
    s.update(community_id=e.community_id, merchant_kind=e.kind)


# ----- labor -----------------------------------------------------------------------------------

def _seeker(s: State, e: Any, tz: timezone) -> None:
    s.update(compound_id=e.compound_id, matched=s.get("matched", False))


def _matched(s: State, e: Any, tz: timezone) -> None:
    s.update(matched=True, placement=e.placement, demand_id=e.demand_id)


def _demand(s: State, e: Any, tz: timezone) -> None:
    s["province"] = e.province


def _batch_scheduled(s: State, e: Any, tz: timezone) -> None:
    s.update(province=e.destination_province, status="scheduled")


def _dispatched(s: State, e: Any, tz: timezone) -> None:
    s.update(province=e.destination_province, status="departed", workers=sorted(set(e.worker_resident_ids)))


def _case_opened(s: State, e: Any, tz: timezone) -> None:
    s.setdefault("status", "open")


def _resumed(s: State, e: Any, tz: timezone) -> None:
    s["status"] = "resumed"


RULES: dict[str, Rule] = {
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
    "permits.permit.applied": _applied,
    "permits.permit.issued": _issued,
    "permits.permit.rejected": _permit_status("rejected"),
    "permits.permit.suspended": _permit_status("suspended"),
    "permits.permit.reinstated": _permit_status("issued"),
    "permits.permit.revoked": _permit_status("revoked"),
    "permits.permit.expired": _permit_status("expired"),
    "delivery.order.placed": _placed,
    "delivery.order.rejected": _order_status("rejected"),
    "delivery.order.accepted": _order_status("accepted"),
    "delivery.order.assigned": _order_status("assigned"),
    "delivery.order.picked_up": _order_status("picked_up"),
    "delivery.order.handed_to_checkpoint": _order_status("at_checkpoint"),
    "delivery.order.delivered": _order_status("delivered", "delivered_at"),
    "delivery.order.collected": _order_status("collected", "collected_at"),
    "delivery.order.failed": _order_status("failed"),
    "delivery.order.cancelled": _order_status("cancelled"),
    "delivery.relief_parcel.issued": _parcel("issued"),
    "delivery.relief_parcel.delivered": _parcel("delivered"),
    "delivery.merchant.registered": _merchant,
    "labor.job_seeker.registered": _seeker,
    "labor.worker.matched": _matched,
    "labor.demand.posted": _demand,
    "labor.batch.scheduled": _batch_scheduled,
    "labor.batch.dispatched": _dispatched,
    "labor.resumption.case_opened": _case_opened,
    "labor.resumption.enterprise_resumed": _resumed,
}


def apply(state: State | None, event_type: str, event: Any, occurred_at: datetime, tz: timezone) -> State:
    """The state after ``event`` (a contracts model of ``event_type``); ``state`` is left unchanged."""
    after: State = copy.deepcopy(state) if state else {}
    after["_occurred_at"] = occurred_at
    RULES[event_type](after, event, tz)
    del after["_occurred_at"]
    return after


def today(now: datetime, tz: timezone) -> str:
    return day_of(now, tz)


def last_days(now: datetime, tz: timezone, days: int) -> list[str]:
    end = now.astimezone(tz).date()
    return [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
