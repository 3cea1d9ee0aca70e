"""Shared fixtures for the contract tests."""

from __future__ import annotations

from typing import Any

import pytest

from towngrid_contracts import EVENT_TYPES, load_example


@pytest.fixture(scope="session")
def examples() -> dict[str, dict[str, Any]]:
    """Every committed example envelope, by event type."""
    return {event_type: load_example(event_type) for event_type in EVENT_TYPES}
