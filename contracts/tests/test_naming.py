"""Topic and event-type names, keys, and producer ownership."""

from __future__ import annotations

import re

import pytest

from towngrid_contracts import ALL_EVENTS, TOPICS, aggregate_id_field, dlq_topic, events_on

TOPIC_RE = re.compile(r"^[a-z]+\.[a-z_]+\.v\d+$")
EVENT_TYPE_RE = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
PRODUCERS = {"registry", "permits", "delivery", "labor"}


@pytest.mark.parametrize("topic", TOPICS)
def test_topic_name_shape(topic: str) -> None:
    assert TOPIC_RE.match(topic)
    assert dlq_topic(topic) == f"{topic}.dlq"


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_event_type_shape_and_owner(model) -> None:
    assert EVENT_TYPE_RE.match(model.event_type)
    assert model.producer in PRODUCERS
    assert model.event_type.startswith(f"{model.producer}.")
    assert model.topic.startswith(f"{model.producer}.")
    assert model.__module__.startswith(f"towngrid_contracts.{model.producer}.")
    assert isinstance(model.event_version, int) and model.event_version >= 1


@pytest.mark.parametrize("topic", TOPICS)
def test_one_key_field_per_topic(topic: str) -> None:
    """All events on a topic are keyed by the same aggregate id, their first field."""
    keys = {aggregate_id_field(model) for model in events_on(topic)}
    assert len(keys) == 1
    (key,) = keys
    assert key.endswith("_id")
    for model in events_on(topic):
        assert model.model_fields[key].is_required()
