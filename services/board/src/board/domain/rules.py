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
from datetime import datetime, timezone
from typing import Any

from board.domain import economy_rules, registry_rules

State = dict[str, Any]
Rule = Callable[[State, Any, timezone], None]  # changes the state in place

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
    "delivery.relief_stock.v1": "stock",
    "delivery.merchant.v1": "merchant",
    "labor.job_seeker.v1": "job_seeker",
    "labor.demand.v1": "demand",
    "labor.batch.v1": "batch",
    "labor.resumption.v1": "resumption",
}

RULES: dict[str, Rule] = {**registry_rules.RULES, **economy_rules.RULES}


def apply(state: State | None, event_type: str, event: Any, occurred_at: datetime, tz: timezone) -> State:
    """The state after ``event`` (a contracts model of ``event_type``); ``state`` is left unchanged."""
    after: State = copy.deepcopy(state) if state else {}
    after["_occurred_at"] = occurred_at
    RULES[event_type](after, event, tz)
    del after["_occurred_at"]
    return after


def newer(stored_version: int | None, version: int) -> bool:
    """Whether an event of ``version`` is still to be applied to a state last changed by
    ``stored_version`` (None: no state yet). A redelivered or older event is not."""
    return stored_version is None or version > stored_version
