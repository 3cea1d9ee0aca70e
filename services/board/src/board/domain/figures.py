"""The board's figures: counts over the aggregates' states (``rules``), for the town, each
community and each compound at once. Plain Python, no I/O.

Where a thing lies: a resident's file, a tip, an order, a relief parcel and a job seeker name
their compound; a checkpoint names its compound and community; a permit lies where its holder
lives (the resident's compound) or where its merchant is (the merchant's community); a dispatched
worker where the resident lives. A compound's community comes from the registry's grid. Isolation
points, enterprises and relief stock depots lie in no community: their figures are the town's only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from board.domain.days import day_of
from board.domain.rules import State

TOWN = "town"
AVERAGES = {"permit_review_avg_s": "permits_reviewed", "order_latency_avg_s": "orders_completed"}
TOWN_ONLY = ("isolation_rooms", "isolation_capacity", "isolation_occupied", "enterprises_resumed",
             "resumption_cases_open", "relief_stock_received", "relief_stock_on_hand", "relief_stock_parcels_issued")


def community_key(community_id: str) -> str:
    return f"community:{community_id}"


def compound_key(compound_id: str) -> str:
    return f"compound:{compound_id}"


@dataclass
class Tally:
    """The figures of one scope: numbers, and series (name -> key -> number)."""

    figures: Counter[str] = field(default_factory=Counter)
    series: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sums: Counter[str] = field(default_factory=Counter)  # the totals behind the averages

    def view(self) -> dict[str, Any]:
        figures: dict[str, float] = dict(self.figures)
        for average, count in AVERAGES.items():
            n = self.figures.get(count, 0)
            figures[average] = round(self.sums[average] / n, 1) if n else 0
        return {"figures": dict(sorted(figures.items())),
                "series": {name: [{"key": k, "value": v} for k, v in sorted(values.items())]
                           for name, values in sorted(self.series.items())}}


@dataclass
class Snapshot:
    """Every scope's tally, and the grid: community -> compound -> status."""

    tallies: dict[str, Tally]
    grid: dict[str, dict[str, str]]

    @property
    def compounds(self) -> dict[str, str]:
        """compound -> community."""
        return {compound: community for community, compounds in self.grid.items() for compound in compounds}

    def tally(self, key: str) -> Tally:
        """The scope's tally; a scope nothing happened in yet has every figure at zero."""
        found = self.tallies.get(key)
        if found is None:
            found = Tally()
            for name in (*BASE, *(TOWN_ONLY if key == TOWN else ())):
                found.figures[name] = 0
        return found


BASE = ("returnees_total", "returnees_today", "in_home_quarantine", "in_centralized_quarantine", "fever_alerts_today",
        "missed_checks_today", "missed_checks_open", "followups_overdue", "followups_escalated", "tips_received",
        "tips_screened", "tips_confirmed", "tips_open", "vulnerable_enrolled", "vulnerable_missed_visits", "left_town",
        "checkpoints_with_gaps", "permits_applied", "permits_issued", "permits_reviewed", "merchants_registered",
        "merchants_open", "orders_placed", "orders_completed", "relief_parcels_issued", "relief_parcels_delivered",
        "workers_matched", "workers_dispatched")


class _Counting:
    def __init__(self, grid: dict[str, str]) -> None:
        self.grid = grid  # compound -> community
        self.tallies: dict[str, Tally] = defaultdict(Tally)

    def keys(self, compound: str | None = None, community: str | None = None) -> list[str]:
        community = community or (self.grid.get(compound) if compound else None)
        keys = [TOWN]
        if community:
            keys.append(community_key(community))
        if compound:
            keys.append(compound_key(compound))
        return keys

    def add(self, keys: list[str], name: str, n: float = 1) -> None:
        for key in keys:
            self.tallies[key].figures[name] += n

    def add_series(self, keys: list[str], name: str, key: str, n: float = 1) -> None:
        for scope in keys:
            self.tallies[scope].series[name][key] += n

    def add_sum(self, keys: list[str], name: str, n: float) -> None:
        for scope in keys:
            self.tallies[scope].sums[name] += n


def compute(states: Iterable[tuple[str, State]], now: datetime, tz: timezone) -> Snapshot:
    """``states``: (kind, state) of every aggregate the board keeps (state ``_id`` is its aggregate id)."""
    by_kind: dict[str, list[State]] = defaultdict(list)
    for kind, state in states:
        by_kind[kind].append(state)
    grid: dict[str, str] = {}
    communities: set[str] = set()
    for g in by_kind["grid"]:
        grid.update(g.get("compounds", {}))
        communities.update(g.get("communities", []))
    count = _Counting(grid)
    day = day_of(now, tz)
    residents = {r["_id"]: r.get("compound_id") for r in by_kind["resident"]}
    merchants = {m["_id"]: m.get("community_id") for m in by_kind["merchant"]}
    status: dict[str, str] = {}

    for r in by_kind["resident"]:
        keys = count.keys(r.get("compound_id"))
        if r.get("returned_on"):
            count.add(keys, "returnees_total")
            count.add_series(keys, "returnees_per_day", r["returned_on"])
            if r["returned_on"] == day:
                count.add(keys, "returnees_today")
            if r.get("arrived_on"):
                count.add_series(keys, "arrivals_per_day", r["arrived_on"])
        if r.get("quarantine_kind"):
            count.add(keys, f"in_{r['quarantine_kind']}_quarantine")
            if r.get("compound_id"):
                status[r["compound_id"]] = "quarantine"
        count.add(keys, "fever_alerts_today", r.get("fevers", {}).get(day, 0))
        count.add(keys, "missed_checks_today", r.get("missed", {}).get(day, 0))
        count.add(keys, "missed_checks_open", r.get("missed_open", 0) if r.get("quarantine_kind") else 0)
        overdue = r.get("overdue_items", {})
        count.add(keys, "followups_overdue", len(overdue))
        count.add(keys, "followups_escalated", sum(1 for escalated in overdue.values() if escalated))
        if r.get("care_category"):
            count.add(keys, "vulnerable_enrolled")
            count.add(keys, "vulnerable_missed_visits", 1 if r.get("visit_missed") else 0)
        count.add(keys, "left_town", 1 if r.get("left_town") else 0)

    for t in by_kind["tip"]:
        keys = count.keys(t.get("compound_id"))
        count.add(keys, "tips_received")
        count.add(keys, "tips_screened", 1 if t.get("screened") else 0)
        count.add(keys, "tips_confirmed", 1 if t.get("confirmed") else 0)
        count.add(keys, "tips_open", 0 if t.get("screened") else 1)

    for c in by_kind["checkpoint"]:
        if c.get("gaps"):
            count.add(count.keys(c.get("compound_id"), c.get("community_id")), "checkpoints_with_gaps")
            if c.get("compound_id"):
                status[c["compound_id"]] = "gap"

    town = [TOWN]
    for site in by_kind["isolation"]:
        for room_id, room in site.get("rooms", {}).items():
            count.add(town, "isolation_rooms")
            count.add(town, "isolation_capacity", room["capacity"])
            count.add(town, "isolation_occupied", room["occupied"])
            count.add_series(town, "isolation_occupancy_by_room", f"{site['_id']}/{room_id}", room["occupied"])

    open_merchants: set[str] = set()
    for p in by_kind["permit"]:
        merchant = p.get("merchant_id")
        keys = (count.keys(community=merchants.get(merchant)) if merchant
                else count.keys(residents.get(p.get("holder_id"))))
        count.add(keys, "permits_applied")
        if p.get("channel"):
            count.add_series(keys, "permits_applied_by_channel", p["channel"])
        if p.get("ever_issued"):
            count.add(keys, "permits_issued")
            count.add_series(keys, "permits_issued_by_type", p.get("permit_type", "unknown"))
            count.add_series(keys, "permits_issued_by_channel", p.get("channel") or "unknown")
        if "review_s" in p:
            count.add(keys, "permits_reviewed")
            count.add_sum(keys, "permit_review_avg_s", p["review_s"])
        if merchant and p.get("permit_type") == "business_reopening" and p.get("status") == "issued":
            open_merchants.add(merchant)

    for m in by_kind["merchant"]:
        keys = count.keys(community=m.get("community_id"))
        count.add(keys, "merchants_registered")
        count.add(keys, "merchants_open", 1 if m["_id"] in open_merchants else 0)

    for o in by_kind["order"]:
        keys = count.keys(o.get("compound_id"))
        count.add(keys, "orders_placed")
        count.add_series(keys, "orders_by_status", o.get("status", "unknown"))
        if "latency_s" in o:
            count.add(keys, "orders_completed")
            count.add_sum(keys, "order_latency_avg_s", o["latency_s"])

    for parcel in by_kind["parcel"]:
        keys = count.keys(parcel.get("compound_id"))
        count.add(keys, "relief_parcels_issued")
        count.add(keys, "relief_parcels_delivered", 1 if parcel.get("status") == "delivered" else 0)

    for depot in by_kind["stock"]:
        count.add(town, "relief_stock_parcels_issued", depot.get("parcels", 0))
        for item, qty in depot.get("received", {}).items():
            count.add(town, "relief_stock_received", qty)
            count.add_series(town, "relief_stock_received_by_item", item, qty)
        for item, qty in depot.get("balance", {}).items():
            count.add(town, "relief_stock_on_hand", qty)
            count.add_series(town, "relief_stock_on_hand_by_item", item, qty)
            count.add_series(town, "relief_stock_by_item", f"{item}/on_hand", qty)
        for item, qty in depot.get("issued", {}).items():
            count.add_series(town, "relief_stock_by_item", f"{item}/issued", qty)

    provinces = {d["_id"]: d.get("province") for d in by_kind["demand"]}
    for s in by_kind["job_seeker"]:
        if s.get("matched"):
            keys = count.keys(s.get("compound_id"))
            count.add(keys, "workers_matched")
            count.add_series(keys, "workers_matched_by_province", provinces.get(s.get("demand_id")) or "unknown")

    for b in by_kind["batch"]:
        for worker in b.get("workers", []) if b.get("status") == "departed" else []:
            keys = count.keys(residents.get(worker))
            count.add(keys, "workers_dispatched")
            count.add_series(keys, "workers_dispatched_by_province", b.get("province") or "unknown")

    for case in by_kind["resumption"]:
        count.add(town, "enterprises_resumed", 1 if case.get("status") == "resumed" else 0)
        count.add(town, "resumption_cases_open", 1 if case.get("status") == "open" else 0)

    for key in list(count.tallies) + [TOWN, *(community_key(c) for c in communities)]:
        tally = count.tallies[key]
        for name in (*BASE, *(TOWN_ONLY if key == TOWN else ())):
            tally.figures.setdefault(name, 0)
    return Snapshot(tallies=dict(count.tallies), grid=_grid(grid, communities, status))


def _grid(grid: dict[str, str], communities: set[str], status: dict[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {c: {} for c in communities}
    for compound, community in sorted(grid.items()):
        found.setdefault(community, {})[compound] = status.get(compound, "ok")
    return dict(sorted(found.items()))
