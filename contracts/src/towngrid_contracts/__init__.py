"""towngrid event contracts: the envelope, topics, event models, schemas and examples.

Schema only: pydantic models and constants, no framework and no driver. Each producing
service owns its subpackage (``registry``, ``permits``, ``delivery``, ``labor``).
"""

from towngrid_contracts.catalogue import (
    ALL_EVENTS,
    EVENT_TYPES,
    TOPICS,
    aggregate_id_field,
    events_on,
    parse_data,
)
from towngrid_contracts.envelope import Envelope, EventData, envelope_for
from towngrid_contracts.examples import load_example
from towngrid_contracts.topics import dlq_topic, topic_name

__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "TOPICS",
    "Envelope",
    "EventData",
    "aggregate_id_field",
    "dlq_topic",
    "envelope_for",
    "events_on",
    "load_example",
    "parse_data",
    "topic_name",
]
