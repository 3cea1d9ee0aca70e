"""The order's stored state keeps its format (orders stored before load and store alike), and the
domain's own types stand between the stored state, the api and the contracts."""

from __future__ import annotations

import ast
import pathlib
from datetime import UTC, datetime

from delivery.adapters.documents import OrderMapper
from delivery.domain.merchant import Merchant, Product
from delivery.domain.order import Order, OrderLine, RequestedLine

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
DOMAIN = pathlib.Path(__file__).parents[2] / "src" / "delivery" / "domain"


def stored(**changes: object) -> dict[str, object]:
    """An order's state as the commits store it (lines and price violations as plain fields)."""
    return {
        "order_id": "ord_1", "household_id": "hh_1", "compound_id": "C03-017", "merchant_id": "mer_1",
        "channel": "hotline", "placed_by": "staff", "destination": "checkpoint", "checkpoint_id": "CP-C03-017",
        "status": "placed", "placed_at": T0, "shopping_list": None, "price_list_version": 1, "rejection": None,
        "team_id": None, "courier_id": None, "pickup": None,
        "lines": [{"sku": "RICE-5KG", "quantity": 2, "unit_price_cents": 3290}],
        "steps": [{"status": "placed", "by": "stf_1", "at": T0, "reason": None, "note": None}],
    } | changes


def test_a_stored_order_loads_and_is_stored_again_as_it_was() -> None:
    rejected = stored(status="rejected", rejection={
        "reason": "price_above_in_store", "detail": "RICE-5KG: 3500 cents asked, in-store price 3290 cents",
        "unknown_skus": [], "price_violations": [{"sku": "RICE-5KG", "unit_price_cents": 3500,
                                                  "in_store_price_cents": 3290}]})
    for state in (stored(), rejected):
        order = OrderMapper().from_state(state, 3)
        assert order.lines == [OrderLine("RICE-5KG", 2, 3290)] and order.version == 3
        assert OrderMapper().to_state(order) == state


def test_a_rejection_is_stored_and_published_with_the_same_price_violations() -> None:
    merchant = Merchant.register("mer_1", "Shop", "shop", None, T0)
    merchant.publish_price_list([Product("RICE-5KG", "Rice", "bag", 3290)], T0, T0)
    order = Order.place(order_id="ord_1", household_id="hh_1", compound_id="C03-017", merchant_id="mer_1",
                        merchant_allowed=True, price_list=merchant.price_list_at(T0), channel="phone",
                        requested=[RequestedLine("RICE-5KG", 2, 3500)], placed_by="staff", in_quarantine=False,
                        by="stf_1", now=T0)
    (event,) = order.pending
    assert OrderMapper().to_state(order)["rejection"]["price_violations"] == [
        v.model_dump() for v in event.price_violations] == [
        {"sku": "RICE-5KG", "unit_price_cents": 3500, "in_store_price_cents": 3290}]


def test_the_domain_keeps_its_own_value_types() -> None:
    """The contracts' value types (an order line, a price violation, a price list item) are not
    the domain's: a change of the public schema is mapped at the edges."""
    imported = {
        (node.module, alias.name)
        for path in DOMAIN.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("towngrid_contracts")
        for alias in node.names
    }
    assert not {name for _, name in imported} & {"OrderLine", "PriceViolation", "PriceListItem"}
