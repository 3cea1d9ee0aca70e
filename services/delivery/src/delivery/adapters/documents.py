"""Domain objects <-> the state stored in their commits (times stay datetimes: BSON dates)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from delivery.domain.merchant import Merchant, PriceList, Product
from delivery.domain.order import Order, OrderLine, Step


def merchant_state(m: Merchant) -> dict[str, Any]:
    return {
        "merchant_id": m.merchant_id, "name": m.name, "kind": m.kind, "community_id": m.community_id,
        "registered_at": m.registered_at,
        "price_lists": [
            {"version": p.version, "effective_from": p.effective_from, "published_at": p.published_at,
             "products": [asdict(x) for x in p.products.values()]}
            for p in m.price_lists
        ],
    }


def merchant_from(doc: dict[str, Any], version: int) -> Merchant:
    return Merchant(
        merchant_id=doc["merchant_id"], name=doc["name"], kind=doc["kind"], community_id=doc.get("community_id"),
        registered_at=doc["registered_at"], version=version,
        price_lists=[
            PriceList(version=p["version"], effective_from=p["effective_from"], published_at=p["published_at"],
                      products={x["sku"]: Product(**x) for x in p["products"]})
            for p in doc.get("price_lists", [])
        ],
    )


_ORDER_FIELDS = ("order_id", "household_id", "compound_id", "merchant_id", "channel", "placed_by", "destination",
                 "checkpoint_id", "status", "placed_at", "shopping_list", "price_list_version", "rejection",
                 "team_id", "courier_id", "pickup")


def order_state(o: Order) -> dict[str, Any]:
    state = {name: getattr(o, name) for name in _ORDER_FIELDS}
    state["lines"] = [asdict(line) for line in o.lines]
    state["steps"] = [asdict(s) for s in o.steps]
    return state


def order_from(doc: dict[str, Any], version: int) -> Order:
    return Order(
        **{name: doc.get(name) for name in _ORDER_FIELDS},
        lines=[OrderLine(sku=x["sku"], quantity=x["quantity"], unit_price_cents=x["unit_price_cents"])
               for x in doc["lines"]],
        steps=[Step(**s) for s in doc.get("steps", [])],
        version=version,
    )
