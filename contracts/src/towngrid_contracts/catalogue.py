"""The catalogue of every event model, indexed by event type and by topic.

Consumers dispatch on the envelope's ``event_type`` with :func:`parse_data`; a consumer that
does not handle a type should ignore it (catch the ``KeyError``), not fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from towngrid_contracts import delivery, labor, permits, registry
from towngrid_contracts.envelope import Envelope, EventData

ALL_EVENTS: tuple[type[EventData], ...] = (
    *registry.EVENTS,
    *permits.EVENTS,
    *delivery.EVENTS,
    *labor.EVENTS,
)


def _index(events: Iterable[type[EventData]]) -> dict[str, type[EventData]]:
    index: dict[str, type[EventData]] = {}
    for model in events:
        if model.event_type in index:
            other = index[model.event_type].__name__
            raise ValueError(f"event type {model.event_type!r} used by {other} and {model.__name__}")
        index[model.event_type] = model
    return index


EVENT_TYPES: dict[str, type[EventData]] = _index(ALL_EVENTS)
"""event_type -> data model. Event types are unique (checked at import)."""

TOPICS: tuple[str, ...] = tuple(dict.fromkeys(model.topic for model in ALL_EVENTS))
"""Every topic, in catalogue order."""


def _owners(events: Iterable[type[EventData]]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for model in events:
        if owners.setdefault(model.topic, model.producer) != model.producer:
            raise ValueError(f"topic {model.topic!r} has two producers: {owners[model.topic]} and {model.producer}")
    return owners


TOPIC_OWNERS: dict[str, str] = _owners(ALL_EVENTS)
"""topic -> the one service that publishes on it (checked at import)."""


def events_on(topic: str) -> tuple[type[EventData], ...]:
    """The models published on ``topic``; ``KeyError`` for a topic not in :data:`TOPICS`."""
    if topic not in TOPICS:
        raise KeyError(f"unknown topic {topic!r}")
    return tuple(model for model in ALL_EVENTS if model.topic == topic)


def aggregate_id_field(model: type[EventData]) -> str:
    """The name of the model's aggregate id field: its first field, e.g. ``permit_id``."""
    return next(iter(model.model_fields))


def parse_data(envelope: Envelope | Mapping[str, Any]) -> EventData:
    """Validate an envelope's ``data`` against the model of its ``event_type``.

    Raises ``KeyError`` for an unknown event type and ``pydantic.ValidationError`` for an
    invalid envelope or payload. Unknown fields in ``data`` are ignored.
    """
    if not isinstance(envelope, Envelope):
        envelope = Envelope.model_validate(envelope)
    try:
        model = EVENT_TYPES[envelope.event_type]
    except KeyError:
        raise KeyError(f"unknown event type {envelope.event_type!r}") from None
    return model.model_validate(envelope.data)
