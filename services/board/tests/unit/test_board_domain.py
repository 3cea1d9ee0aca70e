"""The board's rules and figures: events in, counts out (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from towngrid_contracts.catalogue import EVENT_TYPES
from towngrid_kit.auth import GridScope
from board.domain import rules
from board.domain.figures import compute
from board.domain.scope import NotInCommunity, OutsideScope, Scope, resolve

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)  # 12:00 in town


def event(event_type: str, **data: object):  # noqa: ANN201
    return EVENT_TYPES[event_type].model_validate(data)


class Aggregates:
    """States as the adapter keeps them: kind:id -> state, each event applied once in order."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], dict] = {}
        self.versions: dict[tuple[str, str], int] = {}

    def apply(self, what: str, ident: str, event_type: str, at: datetime = NOW, version: int | None = None,
              **data: object) -> None:
        key = (what, ident)
        version = version if version is not None else self.versions.get(key, 0) + 1
        if rules.newer(self.versions.get(key), version):
            self.states[key] = rules.apply(self.states.get(key), event_type, event(event_type, **data), at, TZ)
            self.versions[key] = version

    def figures(self, now: datetime = NOW):  # noqa: ANN201
        return compute([(kind, {**state, "_id": ident}) for (kind, ident), state in self.states.items()], now, TZ)


def grid(agg: Aggregates) -> None:
    at = NOW.isoformat()
    for community, compounds in {"COM-A": ["A-1", "A-2"], "COM-B": ["B-1"]}.items():
        agg.apply("grid", "TOWN", "registry.grid.community_registered", town_id="TOWN", community_id=community,
                  registered_at=at)
        for compound in compounds:
            agg.apply("grid", "TOWN", "registry.grid.compound_registered", town_id="TOWN", compound_id=compound,
                      community_id=community, checkpoint_id=f"CP-{compound}", registered_at=at)


def returned(agg: Aggregates, rid: str, compound: str, at: datetime = NOW, arrived_on: str = "2026-02-09") -> None:
    agg.apply("resident", rid, "registry.resident.returned", at, resident_id=rid, household_id="h", compound_id=compound,
              origin_province="CN-HB", origin_city="420100", from_risk_area=False, travel_mode="train",
              arrived_on=arrived_on, re_registration=False)


def quarantined(agg: Aggregates, rid: str, compound: str, kind: str = "home") -> None:
    agg.apply("resident", rid, "registry.quarantine.started", resident_id=rid, quarantine_id=f"q-{rid}", household_id="h",
              compound_id=compound, kind=kind, started_at=NOW.isoformat(), planned_end="2026-02-24")


def test_returnees_are_counted_per_town_day_once_each_in_their_community_and_compound() -> None:
    agg = Aggregates()
    grid(agg)
    returned(agg, "r1", "A-1", at=datetime(2026, 2, 9, 17, 0, tzinfo=UTC))  # 01:00 on the 10th in town
    returned(agg, "r2", "A-2", at=datetime(2026, 2, 8, 3, 0, tzinfo=UTC))
    returned(agg, "r2", "A-2")  # a second return: the first registration's day still counts
    returned(agg, "r3", "B-1")
    snap = agg.figures()
    assert snap.tally("town").figures["returnees_total"] == 3
    assert snap.tally("town").figures["returnees_today"] == 2
    assert snap.tally("community:COM-A").figures["returnees_total"] == 2
    assert snap.tally("compound:A-2").figures["returnees_today"] == 0
    assert snap.tally("town").view()["series"]["returnees_per_day"] == [
        {"key": "2026-02-08", "value": 1}, {"key": "2026-02-10", "value": 2}]


def test_arrivals_are_counted_by_the_day_the_latest_registration_says_they_came() -> None:
    agg = Aggregates()
    grid(agg)
    returned(agg, "r1", "A-1", arrived_on="2026-01-20")
    returned(agg, "r2", "A-2", arrived_on="2026-01-21")
    returned(agg, "r2", "A-2", arrived_on="2026-01-22")  # re-registered: the day corrected
    returned(agg, "r3", "B-1", arrived_on="2026-01-22")
    snap = agg.figures()
    assert snap.tally("town").view()["series"]["arrivals_per_day"] == [
        {"key": "2026-01-20", "value": 1}, {"key": "2026-01-22", "value": 2}]
    assert snap.tally("community:COM-B").view()["series"]["arrivals_per_day"] == [{"key": "2026-01-22", "value": 1}]


def test_quarantines_now_and_the_grid_status() -> None:
    agg = Aggregates()
    grid(agg)
    quarantined(agg, "r1", "A-1")
    quarantined(agg, "r2", "A-2", kind="centralized")
    quarantined(agg, "r3", "B-1")
    agg.apply("resident", "r3", "registry.quarantine.ended", resident_id="r3", quarantine_id="q-r3",
              ended_at=NOW.isoformat(), outcome="released")
    agg.apply("checkpoint", "CP-A-2", "registry.checkpoint.coverage_gap_detected", checkpoint_id="CP-A-2",
              compound_id="A-2", community_id="COM-A", shift_start=NOW.isoformat(),
              shift_end=(NOW + timedelta(hours=8)).isoformat(), required_staff=2, rostered_staff=1,
              detected_at=NOW.isoformat())
    snap = agg.figures()
    town = snap.tally("town").figures
    assert (town["in_home_quarantine"], town["in_centralized_quarantine"], town["checkpoints_with_gaps"]) == (1, 1, 1)
    assert snap.tally("community:COM-B").figures["in_home_quarantine"] == 0
    assert snap.grid == {"COM-A": {"A-1": "quarantine", "A-2": "gap"}, "COM-B": {"B-1": "ok"}}
    agg.apply("checkpoint", "CP-A-2", "registry.checkpoint.coverage_restored", checkpoint_id="CP-A-2",
              compound_id="A-2", shift_start=NOW.isoformat(), shift_end=(NOW + timedelta(hours=8)).isoformat(),
              rostered_staff=2, restored_at=NOW.isoformat())
    assert agg.figures().grid["COM-A"]["A-2"] == "quarantine"


def test_fever_alerts_and_missed_checks_count_today_only() -> None:
    agg = Aggregates()
    grid(agg)
    quarantined(agg, "r1", "A-1")
    for at in (NOW, NOW - timedelta(days=1)):
        agg.apply("resident", "r1", "registry.quarantine.fever_alert_raised", resident_id="r1", quarantine_id="q-r1",
                  check_id=f"c{at.day}", temperature_c=38.2, checked_at=at.isoformat())
        agg.apply("resident", "r1", "registry.quarantine.health_check_missed", resident_id="r1", quarantine_id="q-r1",
                  compound_id="A-1", day=(at - timedelta(days=1)).date().isoformat(), flagged_at=at.isoformat())
    town = agg.figures().tally("community:COM-A").figures
    assert (town["fever_alerts_today"], town["missed_checks_today"], town["missed_checks_open"]) == (1, 1, 2)


def test_isolation_occupancy_by_room_is_the_towns_only() -> None:
    agg = Aggregates()
    grid(agg)
    for room in ("101", "102"):
        agg.apply("isolation", "iso", "registry.isolation.room_added", site_id="iso", zone_id="z", room_id=room,
                  capacity=2, added_at=NOW.isoformat())
    for n, room in enumerate(("101", "101", "102")):
        agg.apply("isolation", "iso", "registry.isolation.admitted", site_id="iso", admission_id=f"a{n}",
                  resident_id=f"r{n}", quarantine_id=f"q{n}", zone_id="z", room_id=room, admitted_at=NOW.isoformat())
    agg.apply("isolation", "iso", "registry.isolation.discharged", site_id="iso", admission_id="a2", resident_id="r2",
              room_id="102", discharged_at=NOW.isoformat())
    town = agg.figures().tally("town")
    assert (town.figures["isolation_capacity"], town.figures["isolation_occupied"]) == (4, 2)
    assert town.view()["series"]["isolation_occupancy_by_room"] == [{"key": "iso/101", "value": 2},
                                                                   {"key": "iso/102", "value": 0}]
    assert "isolation_occupied" not in agg.figures().tally("community:COM-A").figures


def test_permits_lie_where_their_holder_lives_with_channel_and_review_time() -> None:
    agg = Aggregates()
    grid(agg)
    returned(agg, "r1", "B-1")
    common = {"permit_id": "p1", "permit_type": "health_certificate", "holder_resident_id": "r1"}
    agg.apply("permit", "p1", "permits.permit.applied", **common, channel="online_qr", applied_at=NOW.isoformat())
    agg.apply("permit", "p1", "permits.permit.issued", **common, valid_from=NOW.isoformat(),
              valid_until=(NOW + timedelta(days=7)).isoformat(), issued_at=(NOW + timedelta(minutes=30)).isoformat())
    view = agg.figures().tally("community:COM-B").view()
    assert view["figures"]["permits_issued"] == 1
    assert view["figures"]["permit_review_avg_s"] == 1800
    assert view["series"]["permits_issued_by_channel"] == [{"key": "online_qr", "value": 1}]
    assert agg.figures().tally("community:COM-A").figures["permits_issued"] == 0


def test_orders_by_status_with_delivery_latency() -> None:
    agg = Aggregates()
    grid(agg)
    for oid in ("o1", "o2"):
        agg.apply("order", oid, "delivery.order.placed", order_id=oid, household_id="h", compound_id="A-1",
                  merchant_id="m", channel="online", destination="door", total_cents=100,
                  lines=[{"sku": "RICE-5KG", "quantity": 1, "unit_price_cents": 100}],
                  placed_at=NOW.isoformat())
    agg.apply("order", "o1", "delivery.order.delivered", order_id="o1", household_id="h", courier_id="c",
              delivered_at=(NOW + timedelta(hours=1)).isoformat())
    view = agg.figures().tally("compound:A-1").view()
    assert view["series"]["orders_by_status"] == [{"key": "delivered", "value": 1}, {"key": "placed", "value": 1}]
    assert (view["figures"]["orders_completed"], view["figures"]["order_latency_avg_s"]) == (1, 3600)


def test_a_state_given_is_never_changed_in_place() -> None:
    before = {"rooms": {"101": {"capacity": 1, "occupied": 0}}}
    rules.apply(before, "registry.isolation.admitted", event(
        "registry.isolation.admitted", site_id="iso", admission_id="a", resident_id="r", quarantine_id="q", zone_id="z",
        room_id="101", admitted_at=NOW.isoformat()), NOW, TZ)
    assert before == {"rooms": {"101": {"capacity": 1, "occupied": 0}}}


GRID = {"A-1": "COM-A", "B-1": "COM-B"}


def test_a_community_viewer_sees_their_community_and_its_compounds_only() -> None:
    mine = GridScope(community="COM-A")
    assert resolve(mine, None, None, GRID) == Scope(community="COM-A")
    assert resolve(mine, None, "A-1", GRID) == Scope(community="COM-A", compound="A-1")
    for community, compound in (("COM-B", None), (None, "B-1"), (None, "unknown"), ("COM-A", "B-1"), (None, None)):
        if (community, compound) == (None, None):
            continue
        with pytest.raises(OutsideScope):
            resolve(mine, community, compound, GRID)


def test_a_town_viewer_sees_everything_and_a_compound_viewer_one_compound() -> None:
    assert resolve(GridScope(), None, None, GRID) == Scope()
    assert resolve(GridScope(), "COM-B", None, GRID) == Scope(community="COM-B")
    with pytest.raises(NotInCommunity):
        resolve(GridScope(), "COM-A", "B-1", GRID)
    assert resolve(GridScope(compound="B-1"), None, None, GRID) == Scope(community="COM-B", compound="B-1")
    with pytest.raises(OutsideScope):
        resolve(GridScope(compound="B-1"), "COM-B", None, GRID)


def test_a_redelivered_event_changes_nothing() -> None:
    agg = Aggregates()
    grid(agg)
    returned(agg, "r1", "A-1")
    alert = {"resident_id": "r1", "quarantine_id": "q-r1", "check_id": "c1", "temperature_c": 38.2,
             "checked_at": NOW.isoformat()}
    for _ in range(3):  # the same event (version 2) delivered three times
        agg.apply("resident", "r1", "registry.quarantine.fever_alert_raised", version=2, **alert)
    agg.apply("resident", "r1", "registry.quarantine.fever_alert_raised", version=1, **alert)  # an older one
    figures = agg.figures().tally("compound:A-1").figures
    assert (figures["fever_alerts_today"], figures["returnees_total"]) == (1, 1)
    assert not rules.newer(2, 2) and not rules.newer(3, 2) and rules.newer(None, 1) and rules.newer(2, 3)


def stock_moved(agg: Aggregates, seq: int, movement: str, items: dict, balance: dict, parcel: str | None = None,
                version: int | None = None) -> None:
    agg.apply("stock", "town", "delivery.relief_stock.moved", version=version if version is not None else seq,
              depot_id="town", seq=seq, movement=movement, items=items, balance=balance, parcel_id=parcel,
              moved_by="stf_1", moved_at=NOW.isoformat())


def test_relief_stock_received_on_hand_and_issued_per_item_are_the_towns_only() -> None:
    agg = Aggregates()
    grid(agg)
    stock_moved(agg, 1, "receipt", {"rice": 10, "mask": 100}, {"rice": 10, "mask": 100})
    stock_moved(agg, 2, "issue", {"rice": 1, "mask": 10}, {"rice": 9, "mask": 90}, "rp_1")
    stock_moved(agg, 3, "issue", {"rice": 1, "mask": 10}, {"rice": 8, "mask": 80}, "rp_2")
    stock_moved(agg, 4, "return", {"rice": 1, "mask": 10}, {"rice": 9, "mask": 90}, "rp_2")
    stock_moved(agg, 4, "return", {"rice": 1, "mask": 10}, {"rice": 10, "mask": 100}, "rp_2")  # redelivered: no-op
    view = agg.figures().tally("town").view()
    figures, series = view["figures"], view["series"]
    assert (figures["relief_stock_received"], figures["relief_stock_on_hand"],
            figures["relief_stock_parcels_issued"]) == (110, 99, 1)
    assert series["relief_stock_received_by_item"] == [{"key": "mask", "value": 100}, {"key": "rice", "value": 10}]
    assert series["relief_stock_on_hand_by_item"] == [{"key": "mask", "value": 90}, {"key": "rice", "value": 9}]
    assert series["relief_stock_by_item"] == [
        {"key": "mask/issued", "value": 10}, {"key": "mask/on_hand", "value": 90},
        {"key": "rice/issued", "value": 1}, {"key": "rice/on_hand", "value": 9}]
    assert "relief_stock_on_hand" not in agg.figures().tally("community:COM-A").figures
    assert Aggregates().figures().tally("town").figures["relief_stock_on_hand"] == 0
