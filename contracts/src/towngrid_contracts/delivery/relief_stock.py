"""Movements of a depot's relief stock: supplies received, taken for a parcel, given back.

Keyed by ``depot_id`` on ``delivery.relief_stock.v1``: one depot's movements stay in one
partition, in order. ``seq`` is the movement's number at its depot (1, 2, 3…, the envelope's
``aggregate_version``), so a consumer tells order and duplicates from it; each movement carries
the depot's whole balance after it, so a consumer needs no earlier movement to know what is on
hand. No personal data: a parcel is named by its opaque id, never its household or resident.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.topics import topic_name

RELIEF_STOCK_TOPIC = topic_name("delivery", "relief_stock")

ItemCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Quantities = dict[ItemCode, Annotated[int, Field(ge=0)]]


class ReliefStockMoved(EventData, topic=RELIEF_STOCK_TOPIC, event_type="delivery.relief_stock.moved"):
    """Relief supplies moved into or out of a depot's stock; ``balance`` is what it holds after."""

    depot_id: Id = Field(description="The depot (the aggregate id), e.g. town.")
    seq: int = Field(ge=1, description="The movement's number at its depot: 1, 2, 3… (the aggregate version).")
    movement: Literal["receipt", "issue", "return"] = Field(
        description="receipt: supplies received; issue: taken for a relief parcel; return: a parcel's take given "
                    "back (its issue was refused after the take).")
    items: Quantities = Field(min_length=1, description="Item code → quantity moved (always positive).")
    balance: Quantities = Field(description="Item code → quantity on hand after the movement.")
    parcel_id: Id | None = Field(default=None, description="The relief parcel of an issue or a return.")
    moved_by: StaffId = Field(description="Opaque staff id of who recorded the movement.")
    moved_at: AwareDatetime
