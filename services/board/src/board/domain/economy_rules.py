"""How the permits', delivery's and labor's events change the board's states: permits, orders,
relief parcels, relief stock depots, merchants, demands, job seekers, batches, resumption cases (see ``rules``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

State = dict[str, Any]
Rule = Callable[[State, Any, timezone], None]


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


def _stock_moved(s: State, e: Any, tz: timezone) -> None:
    """A depot's stock: its balance (carried whole by every movement), and what was received and
    taken into parcels (net of the takes given back), per item; parcels issued from it."""
    s["balance"] = dict(e.balance)
    if e.movement == "receipt":
        _add(s.setdefault("received", {}), e.items, 1)
    else:
        sign = 1 if e.movement == "issue" else -1
        _add(s.setdefault("issued", {}), e.items, sign)
        s["parcels"] = s.get("parcels", 0) + sign


def _add(totals: dict[str, int], items: dict[str, int], sign: int) -> None:
    for item, qty in items.items():
        totals[item] = totals.get(item, 0) + sign * qty


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


RULES = {
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
    "delivery.relief_stock.moved": _stock_moved,
    "delivery.merchant.registered": _merchant,
    "labor.job_seeker.registered": _seeker,
    "labor.worker.matched": _matched,
    "labor.demand.posted": _demand,
    "labor.batch.scheduled": _batch_scheduled,
    "labor.batch.dispatched": _dispatched,
    "labor.resumption.case_opened": _case_opened,
    "labor.resumption.enterprise_resumed": _resumed,
}
