"""The id and the time of a new fact: ``<prefix>_<32 hex>`` ids (opaque: they reveal nothing)
and the current time in UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def utcnow() -> datetime:
    return datetime.now(UTC)
