"""One ``Mapper`` per aggregate (``towngrid_kit.repository``): its id, its state as its commits
store it, and its query fields. Times stay datetimes (BSON dates), except a parcel's period,
stored as an ISO date; the stored format is the one written before these mappers existed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from towngrid_kit.repository import NOT_STATE

from delivery.domain.merchant import Merchant, PriceList, Product
from delivery.domain.order import Order, OrderLine, Step
from delivery.domain.relief import ReliefParcel


class MerchantMapper:
    def id_of(self, m: Merchant) -> str:
        return m.merchant_id

    def to_state(self, m: Merchant) -> dict[str, Any]:
        return {
            "merchant_id": m.merchant_id, "name": m.name, "kind": m.kind, "community_id": m.community_id,
            "registered_at": m.registered_at,
            "price_lists": [
                {"version": p.version, "effective_from": p.effective_from, "published_at": p.published_at,
                 "products": [asdict(x) for x in p.products.values()]}
                for p in m.price_lists
            ],
        }

    def from_state(self, doc: dict[str, Any], version: int) -> Merchant:
        return Merchant(
            merchant_id=doc["merchant_id"], name=doc["name"], kind=doc["kind"], community_id=doc.get("community_id"),
            registered_at=doc["registered_at"], version=version,
            price_lists=[
                PriceList(version=p["version"], effective_from=p["effective_from"], published_at=p["published_at"],
                          products={x["sku"]: Product(**x) for x in p["products"]})
                for p in doc.get("price_lists", [])
            ],
        )

    def query_fields(self, m: Merchant) -> dict[str, Any]:
        return {"kind": m.kind, "community_id": m.community_id}


_ORDER_FIELDS = ("order_id", "household_id", "compound_id", "merchant_id", "channel", "placed_by", "destination",
                 "checkpoint_id", "status", "placed_at", "shopping_list", "price_list_version", "rejection",
                 "team_id", "courier_id", "pickup")


_ORDER_FIELDS_IF_SET = ("handover_code_hash", "proof")  # added later: absent from orders stored before


class OrderMapper:
    def id_of(self, o: Order) -> str:
        return o.order_id

    def to_state(self, o: Order) -> dict[str, Any]:
        state = {name: getattr(o, name) for name in _ORDER_FIELDS}
        state |= {name: getattr(o, name) for name in _ORDER_FIELDS_IF_SET if getattr(o, name) is not None}
        state["lines"] = [asdict(line) for line in o.lines]
        state["steps"] = [asdict(s) for s in o.steps]
        return state

    def from_state(self, doc: dict[str, Any], version: int) -> Order:
        return Order(
            **{name: doc.get(name) for name in (*_ORDER_FIELDS, *_ORDER_FIELDS_IF_SET)},
            lines=[OrderLine(sku=x["sku"], quantity=x["quantity"], unit_price_cents=x["unit_price_cents"])
                   for x in doc["lines"]],
            steps=[Step(**s) for s in doc.get("steps", [])],
            version=version,
        )

    def query_fields(self, o: Order) -> dict[str, Any]:
        return {"status": o.status, "team_id": o.team_id, "household_id": o.household_id,
                "merchant_id": o.merchant_id, "checkpoint_id": o.checkpoint_id, "compound_id": o.compound_id,
                "pickup_until": (o.pickup or {}).get("until")}


class ParcelMapper:
    def id_of(self, p: ReliefParcel) -> str:
        return p.parcel_id

    def to_state(self, p: ReliefParcel) -> dict[str, Any]:
        state = {k: v for k, v in vars(p).items() if k not in NOT_STATE}
        state["period_start"] = p.period_start.isoformat()
        return state

    def from_state(self, doc: dict[str, Any], version: int) -> ReliefParcel:
        return ReliefParcel(**{**doc, "period_start": date.fromisoformat(doc["period_start"])}, version=version)

    def query_fields(self, p: ReliefParcel) -> dict[str, Any]:
        return {"household_id": p.household_id, "status": p.status}
