"""What a bad event on a topic is made of, for the consumer's property test
(``kit/tests/test_consumer_properties.py``) and the same on the real stack
(``tests/e2e/test_bad_events.py``)."""

from __future__ import annotations

import json

REQUIRED_ENVELOPE = ("event_id", "event_type", "event_version", "occurred_at", "producer", "aggregate_id",
                     "aggregate_version", "correlation_id", "data")
# Values no required field of the envelope (or of the payload) accepts: each is a non-empty
# string, an int >= 1, a UUID, an aware timestamp or an object, and none of these is any of those.
NEVER_VALID = (None, [1], [], {"x": [1]}, "")


def encoded(doc: object) -> bytes:
    return json.dumps(doc).encode()


def without(doc: dict, name: str) -> dict:
    return {k: v for k, v in doc.items() if k != name}


def unparsable(body: bytes) -> bool:
    """Bytes that are not JSON (or nest too deep to parse)."""
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return True
    return False
