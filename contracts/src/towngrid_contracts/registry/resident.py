"""Events about one resident's file: return, checklist, quarantine, health checks, departure.

All of them are keyed by ``resident_id`` on ``registry.resident.v1``, so a consumer sees a
person's return, quarantine start, checks, end and departure in order. The vulnerable-resident
events in :mod:`towngrid_contracts.registry.vulnerable` share this topic and key. They carry
opaque ids only: never a national ID number, a name, a phone number or a street address.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.topics import topic_name

RESIDENT_TOPIC = topic_name("registry", "resident")

QuarantineKind = Literal["home", "centralized"]
QuarantineOutcome = Literal["released", "hospitalized", "transferred"]
EscalationLevel = Literal["neighbour_group", "compound", "community", "town"]
DepartureReason = Literal["labor_batch", "other"]


class _ResidentEvent(EventData):
    topic: ClassVar[str] = RESIDENT_TOPIC
    producer: ClassVar[str] = "registry"

    resident_id: str = Field(min_length=1, description="Opaque resident id (the aggregate id).")


class ResidentReturned(_ResidentEvent):
    """A returnee was registered (or re-registered: ``re_registration`` is then true)."""

    event_type: ClassVar[str] = "registry.resident.returned"

    household_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    origin_province: str = Field(min_length=1)
    origin_city: str = Field(min_length=1)
    from_risk_area: bool
    travel_mode: str = Field(min_length=1)
    arrived_on: date
    re_registration: bool = False
    neighbour_group_id: str | None = Field(default=None, min_length=1, description="The returnee's neighbour group, if known.")
    checklist_id: str | None = Field(default=None, min_length=1, description="The follow-up checklist opened for the returnee.")
    changed_fields: list[Literal["name", "mobile", "address"]] | None = Field(
        default=None, description="A re-registration: which of the person's fields it changed (names only, never "
                                  "values; the earlier values stay in the registry's file).")
    holder_key_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of the holder key on this registration's slip (towngrid_kit.holder_keys): "
                    "an online permit application proves the holder with it. It replaces any earlier key.")


class QuarantineStarted(_ResidentEvent):
    event_type: ClassVar[str] = "registry.quarantine.started"

    quarantine_id: str = Field(min_length=1)
    household_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    kind: QuarantineKind
    started_at: AwareDatetime
    planned_end: date
    contact_of_resident_id: str | None = Field(
        default=None, min_length=1, description="Set when started for a close contact of this case."
    )
    decided_by: str | None = Field(default=None, min_length=1, description="Opaque staff id of who decided it.")
    reason_code: str | None = Field(
        default=None, min_length=1, description="Why, from the registry's configured list (the free text stays there)."
    )


PlannedEndChangeReason = Literal[
    "symptoms", "test_result", "contact_of_case", "policy_change", "medical_advice", "error_correction", "other"
]


class QuarantinePlannedEndChanged(_ResidentEvent):
    """A quarantine was extended or shortened; the free-text note stays in the registry."""

    event_type: ClassVar[str] = "registry.quarantine.planned_end_changed"

    quarantine_id: str = Field(min_length=1)
    previous_planned_end: date
    planned_end: date
    extended: bool = Field(description="True when the new end is later than the previous one.")
    reason: PlannedEndChangeReason
    changed_by: str = Field(min_length=1, description="Opaque staff id.")
    changed_at: AwareDatetime
    decided_by: str | None = Field(default=None, min_length=1, description="Opaque staff id (as changed_by).")
    reason_code: str | None = Field(
        default=None, min_length=1,
        description="Why, from the registry's configured list; ``reason`` is this code, or ``other`` if it is "
                    "not one of the original codes.",
    )


class HealthCheckMissed(_ResidentEvent):
    """No health check was recorded for a person in quarantine on a whole day (town local date)."""

    event_type: ClassVar[str] = "registry.quarantine.health_check_missed"

    quarantine_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    day: date
    flagged_at: AwareDatetime


class CloseContactLinked(_ResidentEvent):
    """A resident was linked to this case (the aggregate) as a close contact."""

    event_type: ClassVar[str] = "registry.contact.linked"

    contact_resident_id: str = Field(min_length=1)
    link_id: str = Field(min_length=1)
    last_contact_on: date
    linked_by: str = Field(min_length=1, description="Opaque staff id.")
    linked_at: AwareDatetime


class HealthCheckRecorded(_ResidentEvent):
    event_type: ClassVar[str] = "registry.quarantine.health_check_recorded"

    quarantine_id: str = Field(min_length=1)
    check_id: str = Field(min_length=1)
    temperature_c: float = Field(ge=30, le=45)
    symptoms: list[str] = Field(default_factory=list)
    checked_by: str = Field(min_length=1, description="Opaque staff id of the checker.")
    checked_at: AwareDatetime


class FeverAlertRaised(_ResidentEvent):
    """A health check found a temperature of 37.3 °C or more."""

    event_type: ClassVar[str] = "registry.quarantine.fever_alert_raised"

    quarantine_id: str = Field(min_length=1)
    check_id: str = Field(min_length=1)
    temperature_c: float
    checked_at: AwareDatetime


class QuarantineEnded(_ResidentEvent):
    event_type: ClassVar[str] = "registry.quarantine.ended"

    quarantine_id: str = Field(min_length=1)
    ended_at: AwareDatetime
    outcome: QuarantineOutcome
    decided_by: str | None = Field(default=None, min_length=1, description="Opaque staff id of who ended it.")
    reason_code: str | None = Field(
        default=None, min_length=1,
        description="Why, from the registry's configured list; ``appeal_overturned`` when an appeal ended it.",
    )
    appeal_id: str | None = Field(default=None, min_length=1, description="The appeal whose outcome ended it, if any.")


class ChecklistCompleted(_ResidentEvent):
    """Every item of a returnee's follow-up checklist (the "eight ones") was verified."""

    event_type: ClassVar[str] = "registry.checklist.completed"

    checklist_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    item_codes: list[str] = Field(min_length=1, description="Codes of the verified items.")
    verified_by: str = Field(min_length=1, description="Opaque staff id of the last verifier.")
    completed_at: AwareDatetime


class ChecklistItemVerified(_ResidentEvent):
    """An officer verified one item of a returnee's follow-up checklist."""

    event_type: ClassVar[str] = "registry.checklist.item_verified"

    checklist_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    item_code: str = Field(min_length=1)
    verified_by: str = Field(min_length=1, description="Opaque staff id of the verifier.")
    verified_at: AwareDatetime
    was_overdue: bool = False


class ChecklistItemOverdue(_ResidentEvent):
    """A checklist item was not verified by its due time."""

    event_type: ClassVar[str] = "registry.checklist.item_overdue"

    checklist_id: str = Field(min_length=1)
    compound_id: str = Field(min_length=1)
    item_code: str = Field(min_length=1)
    due_at: AwareDatetime
    escalation_level: EscalationLevel | None = Field(
        default=None, description="The grid level now responsible: one level up for each further overdue period."
    )
    escalated_to: str | None = Field(default=None, min_length=1, description="Opaque id of that grid unit.")
    overdue_periods: int | None = Field(default=None, ge=0, description="Whole periods past the due time (0 at first).")


class ResidentLeftTown(_ResidentEvent):
    """The resident left town; for a labour batch, ``batch_id`` names it."""

    event_type: ClassVar[str] = "registry.resident.left_town"

    household_id: str = Field(min_length=1)
    reason: DepartureReason
    destination_province: str = Field(
        pattern=r"^CN-[A-Z]{2}$", description="ISO 3166-2:CN code, e.g. CN-GD."
    )
    batch_id: str | None = Field(default=None, min_length=1)
    left_at: AwareDatetime



class ResidentPersonalDataReencrypted(_ResidentEvent):
    """The resident's sealed personal data was sealed again under the registry's current key
    (key rotation). Nothing about the person changed; ``key_id`` is the label of the new key."""

    event_type: ClassVar[str] = "registry.resident.personal_data_reencrypted"

    key_id: str = Field(min_length=1, max_length=32, description="Label of the key that now seals the data.")
    reencrypted_at: AwareDatetime
