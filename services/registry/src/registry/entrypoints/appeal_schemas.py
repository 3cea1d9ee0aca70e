"""HTTP bodies of appeals against quarantine decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from registry.domain.decisions import Appeal
from registry.entrypoints.inputs import Body, Note, Text


class FileAppeal(Body):
    resident_id: Text
    quarantine_id: Text = Field(description="The open quarantine appealed (its start and any extension).")
    statement: Note | None = Field(default=None, description="The person's grounds (kept in the registry only).")


class DecideAppeal(Body):
    outcome: Literal["upheld", "overturned"]
    reason_code: str = Field(min_length=1, max_length=60,
                             description="One of the configured codes (REGISTRY_APPEAL_REASONS).")
    note: Note | None = None


class AppealView(BaseModel):
    appeal_id: str
    resident_id: str
    quarantine_id: str
    status: str = Field(description="open, upheld or overturned.")
    filed_by: str
    filed_at: datetime
    statement: str | None
    deciders: list[str] = Field(description="Who took the appealed decisions: none of them may review it.")
    reason_code: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, resident_id: str, a: Appeal) -> "AppealView":
        return cls(resident_id=resident_id, **vars(a))
