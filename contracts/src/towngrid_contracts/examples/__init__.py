"""One example envelope per event type, shipped as package data (``<event_type>.json``)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def load_example(event_type: str) -> dict[str, Any]:
    """The example envelope for ``event_type`` as a dict; ``KeyError`` if there is none."""
    resource = files(__name__) / f"{event_type}.json"
    if not resource.is_file():
        raise KeyError(f"no example for event type {event_type!r}")
    return json.loads(resource.read_text(encoding="utf-8"))


def example_types() -> list[str]:
    """The event types that have an example, sorted."""
    return sorted(
        entry.name.removesuffix(".json")
        for entry in files(__name__).iterdir()
        if entry.name.endswith(".json")
    )
