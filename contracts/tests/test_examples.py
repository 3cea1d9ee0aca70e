"""One example envelope per event: it validates, and it agrees with its model."""

from __future__ import annotations

import pytest

from towngrid_contracts import (
    ALL_EVENTS,
    EVENT_TYPES,
    TOPICS,
    Envelope,
    aggregate_id_field,
    load_example,
    parse_data,
)
from towngrid_contracts.examples import example_types


def test_every_event_has_exactly_one_example() -> None:
    assert example_types() == sorted(EVENT_TYPES)


def test_unknown_example_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_example("registry.resident.teleported")


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_example_validates_and_matches_its_model(model, examples) -> None:
    example = examples[model.event_type]
    envelope = Envelope.model_validate(example)
    data = parse_data(envelope)

    assert type(data) is model
    assert envelope.event_type == model.event_type
    assert envelope.event_version == model.event_version
    assert envelope.producer == model.producer
    assert model.topic in TOPICS and model.topic.startswith(f"{envelope.producer}.")
    assert envelope.aggregate_id == example["data"][aggregate_id_field(model)]
    assert envelope.key == envelope.aggregate_id.encode()


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_example_is_complete_and_canonical(model, examples) -> None:
    """Every field shown, no unknown field (which extra="ignore" would hide), as dumped."""
    raw = examples[model.event_type]["data"]
    assert list(raw) == list(model.model_fields)
    assert model.model_validate(raw).model_dump(mode="json") == raw


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_example_times_are_utc_with_z(model, examples) -> None:
    example = examples[model.event_type]
    assert example["occurred_at"].endswith("Z")
    properties = model.model_json_schema()["properties"]
    for name, value in example["data"].items():
        branches = [properties[name], *properties[name].get("anyOf", [])]
        if value is not None and any(b.get("format") == "date-time" for b in branches):
            assert value.endswith("Z"), f"{name}={value!r}"
