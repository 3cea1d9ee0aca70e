"""The outbox: events are stored in the same document, in the same atomic update, as the
state change that causes them; the relay publishes them later.

A document that has unpublished events carries them in ``outbox`` (oldest first) and
``outbox_pending: true``. Use :func:`with_outbox` to add the events to any update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from towngrid_contracts.envelope import Envelope, EventData

OUTBOX = "outbox"
PENDING = "outbox_pending"


def outbox_entry(topic: str, envelope: Envelope) -> dict[str, Any]:
    return {"topic": topic, "key": envelope.aggregate_id, "envelope": envelope.model_dump(mode="json")}


def entries_for(events: Iterable[tuple[EventData, Envelope]]) -> list[dict[str, Any]]:
    return [outbox_entry(data.topic, envelope) for data, envelope in events]


def with_outbox(update: Mapping[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Return ``update`` extended to append ``entries`` to the document's outbox."""
    merged = {op: dict(fields) for op, fields in update.items()}
    if not entries:
        return merged
    merged.setdefault("$push", {})[OUTBOX] = {"$each": entries}
    merged.setdefault("$set", {})[PENDING] = True
    return merged


def new_document_outbox(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Fields for a document inserted together with its first events."""
    return {OUTBOX: entries, PENDING: bool(entries)}
