"""Appeals against quarantine decisions, on the resident's topic (keyed by ``resident_id``).

An appeal is part of the person's file, so its filing, its outcome and the end of the
quarantine an overturning causes arrive in order with the rest of the file. The appellant's
statement and the reviewer's free-text note stay in the registry: events carry codes and
opaque staff ids only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.fields import Id, StaffId
from towngrid_contracts.registry.resident import _ResidentEvent

AppealOutcome = Literal["upheld", "overturned"]


class _AppealEvent(_ResidentEvent):
    """An event about one appeal against a quarantine."""

    appeal_id: Id


class AppealFiled(_AppealEvent, event_type="registry.appeal.filed"):
    """An appeal against a quarantine was filed (by an officer for the person)."""

    quarantine_id: Id = Field(description="The quarantine whose decisions are appealed.")
    filed_by: StaffId = Field(description="Opaque staff id of the officer who filed it.")
    filed_at: AwareDatetime
    appealed_deciders: list[str] = Field(
        default_factory=list, description="Opaque staff ids of who took the appealed decisions (they may not review it)."
    )


class AppealDecided(_AppealEvent, event_type="registry.appeal.decided"):
    """An appeal was reviewed by someone other than the deciders; ``overturned`` ends the quarantine."""

    quarantine_id: Id
    outcome: AppealOutcome
    reason_code: Id = Field(description="Why, from the registry's configured list of appeal reasons.")
    decided_by: StaffId = Field(description="Opaque staff id of the reviewer.")
    decided_at: AwareDatetime
