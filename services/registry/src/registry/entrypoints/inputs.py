"""The pieces of the registry's request bodies: a strict body (unknown fields refused, text stripped),
bounded text, a reason code and a free-text note."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


ReasonCode = Annotated[str, Field(min_length=1, max_length=60, description=(
    "Why, one of the configured codes (REGISTRY_QUARANTINE_REASONS); an unknown code gets 422 naming them."))]
Note = Annotated[str, Field(min_length=1, max_length=1000, description=(
    "Free text (needed with reason_code other); kept in the registry only, never published."))]
