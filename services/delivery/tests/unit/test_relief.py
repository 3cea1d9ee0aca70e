"""Relief schedule periods, stock arithmetic and the parcel's states, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from towngrid_kit.errors import Conflict, InvalidInput
from delivery.domain.relief import ReliefParcel, ReliefStock, period_end, period_start, receive, take


def test_periods_tile_the_calendar_and_are_shared_by_everyone_on_a_schedule() -> None:
    day = date(2020, 2, 14)
    start = period_start(day, 7)
    assert start <= day <= period_end(start, 7)
    assert all(period_start(start + timedelta(days=i), 7) == start for i in range(7))
    assert period_start(start + timedelta(days=7), 7) == start + timedelta(days=7)
    assert period_start(day, 1) == day


def test_take_refuses_to_go_negative_and_names_every_short_item() -> None:
    assert take({"rice": 3, "oil": 1}, {"rice": 2}) == {"rice": 1, "oil": 1}
    with pytest.raises(Conflict) as refused:
        take({"rice": 1}, {"rice": 2, "oil": 1})
    assert "rice (need 2, have 1)" in refused.value.detail and "oil (need 1, have 0)" in refused.value.detail
    assert receive({"rice": 1}, {"rice": 2, "mask": 5}) == {"rice": 3, "mask": 5}
    with pytest.raises(InvalidInput):
        receive({}, {"rice": 0})


def test_parcel_is_issued_then_delivered_once() -> None:
    at = datetime(2020, 2, 14, tzinfo=UTC)
    parcel = ReliefParcel.issue(parcel_id="rp_1", resident_id="res_1", household_id="hh_1", compound_id="C05-004",
                                period=date(2020, 2, 13), contents={"rice": 1, "mask": 10}, by="stf_1", at=at)
    parcel.deliver("stf_2", at)
    assert [e.event_type for e in parcel.pending] == ["delivery.relief_parcel.issued", "delivery.relief_parcel.delivered"]
    assert parcel.pending[1].items == ["mask", "rice"] and parcel.pending[1].courier_id == "stf_2"
    with pytest.raises(Conflict):
        parcel.deliver("stf_2", at)


def test_each_stock_movement_is_an_event_numbered_per_depot_with_the_balance_after_it() -> None:
    at = datetime(2020, 2, 14, tzinfo=UTC)
    stock = ReliefStock("town")
    stock.receive({"rice": 3, "mask": 20}, "stf_1", at)
    stock.issue({"rice": 1, "mask": 10}, "rp_1", "stf_1", at)
    stock.give_back({"rice": 1, "mask": 10}, "rp_1", "stf_1", at)
    with pytest.raises(Conflict):
        stock.issue({"rice": 4}, "rp_2", "stf_1", at)
    assert stock.balance == {"rice": 3, "mask": 20}
    assert [(e.seq, e.movement, e.items, e.balance, e.parcel_id) for e in stock.pending] == [
        (1, "receipt", {"rice": 3, "mask": 20}, {"rice": 3, "mask": 20}, None),
        (2, "issue", {"rice": 1, "mask": 10}, {"rice": 2, "mask": 10}, "rp_1"),
        (3, "return", {"rice": 1, "mask": 10}, {"rice": 3, "mask": 20}, "rp_1"),
    ]
    stock.version, stock.pending = 3, []
    stock.receive({"oil": 1}, "stf_1", at)
    assert stock.pending[0].seq == 4 and stock.pending[0].balance == {"rice": 3, "mask": 20, "oil": 1}
