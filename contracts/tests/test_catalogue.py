"""The catalogue: lookup by type and topic, parsing, and the models' own invariants."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from towngrid_contracts import (
    ALL_EVENTS,
    EVENT_TYPES,
    TOPICS,
    envelope_for,
    events_on,
    parse_data,
)
from towngrid_contracts.catalogue import _index
from towngrid_contracts.delivery import OrderPlaced
from towngrid_contracts.permits import PermitIssued
from towngrid_contracts.registry import QuarantineStarted, ResidentReturned


def test_event_types_index_every_model_once() -> None:
    assert len(EVENT_TYPES) == len(ALL_EVENTS)
    assert all(EVENT_TYPES[model.event_type] is model for model in ALL_EVENTS)


def test_duplicate_event_types_are_refused() -> None:
    class Impostor(ResidentReturned):
        pass

    with pytest.raises(ValueError, match="registry.resident.returned"):
        _index([ResidentReturned, Impostor])


def test_topics_partition_the_catalogue() -> None:
    on_topics = [model for topic in TOPICS for model in events_on(topic)]
    assert sorted(on_topics, key=lambda m: m.event_type) == sorted(
        ALL_EVENTS, key=lambda m: m.event_type
    )
    assert QuarantineStarted in events_on("registry.resident.v1")


def test_unknown_topic_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        events_on("registry.resident.v2")


def test_parse_data_accepts_a_dict_or_an_envelope(examples) -> None:
    raw = examples["permits.permit.issued"]
    from_dict = parse_data(raw)
    assert isinstance(from_dict, PermitIssued)
    assert from_dict.holder_resident_id == raw["data"]["holder_resident_id"]


def test_parse_data_ignores_unknown_fields(examples) -> None:
    raw = examples["delivery.order.placed"]
    newer = {**raw, "data": {**raw["data"], "added_later": "x"}}
    assert parse_data(newer) == parse_data(raw)


def test_parse_data_unknown_type_is_a_key_error(examples) -> None:
    raw = {**examples["delivery.order.placed"], "event_type": "delivery.order.teleported"}
    with pytest.raises(KeyError, match="delivery.order.teleported"):
        parse_data(raw)


def test_parse_data_invalid_payload_is_a_validation_error(examples) -> None:
    raw = examples["delivery.order.placed"]
    with pytest.raises(ValidationError):
        parse_data({**raw, "data": {**raw["data"], "lines": []}})


def test_envelope_for_round_trips_an_example(examples) -> None:
    raw = examples["registry.quarantine.started"]
    data = parse_data(raw)
    causation = uuid.uuid4()
    envelope = envelope_for(data, aggregate_id=raw["aggregate_id"], aggregate_version=2,
                            causation_id=causation)
    assert envelope.event_type == "registry.quarantine.started"
    assert envelope.causation_id == causation
    assert envelope.correlation_id == envelope.event_id
    assert parse_data(envelope) == data


def test_permit_holder_must_fit_the_permit_type(examples) -> None:
    data = examples["permits.permit.issued"]["data"]
    with pytest.raises(ValidationError, match="holder_resident_id only"):
        PermitIssued.model_validate({**data, "merchant_id": "mer_x"})
    with pytest.raises(ValidationError, match="merchant_id only"):
        PermitIssued.model_validate({**data, "permit_type": "business_reopening"})


def test_permit_validity_window_must_be_positive(examples) -> None:
    data = examples["permits.permit.issued"]["data"]
    with pytest.raises(ValidationError, match="valid_until"):
        PermitIssued.model_validate({**data, "valid_until": data["valid_from"]})


def test_checkpoint_id_is_set_exactly_for_checkpoint_orders(examples) -> None:
    data = examples["delivery.order.placed"]["data"]
    assert data["destination"] == "door"
    with pytest.raises(ValidationError, match="checkpoint_id"):
        OrderPlaced.model_validate({**data, "destination": "checkpoint"})
    pickup = OrderPlaced.model_validate(
        {**data, "destination": "checkpoint", "checkpoint_id": "CP-C03-017"}
    )
    assert pickup.checkpoint_id == "CP-C03-017"


def test_events_are_frozen(examples) -> None:
    data = parse_data(examples["registry.resident.returned"])
    with pytest.raises(ValidationError):
        data.compound_id = "C01-001"  # type: ignore[misc]
