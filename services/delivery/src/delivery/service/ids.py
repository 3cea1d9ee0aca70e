"""Ids of delivery's new things (merchants, orders, teams, slots, relief parcels).

Not ``towngrid_kit.ids.new_id`` (random): delivery's lists are pages in ``_id`` order, and it
promises them in creation order (a team's queue oldest first; ``GET /orders`` as placed), so
its ids sort by creation time: milliseconds, then random. The kit has no such id yet.
"""

from __future__ import annotations

import uuid

from towngrid_kit.ids import utcnow


def ordered_id(prefix: str) -> str:
    """An opaque id that sorts by creation time (milliseconds, then random)."""
    return f"{prefix}_{int(utcnow().timestamp() * 1000):012x}{uuid.uuid4().hex[:16]}"
