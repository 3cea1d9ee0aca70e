"""New ids for the registry's things: a short prefix naming the kind, then a random UUID."""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
