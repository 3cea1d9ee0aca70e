"""Events about one resident's file: return, checklist, quarantine, health checks, departure.

All of them are keyed by ``resident_id`` on ``registry.resident.v1``, so a consumer sees a
person's return, quarantine start, checks, end and departure in order. The vulnerable-resident
events in :mod:`towngrid_contracts.registry.vulnerable` share this topic and key. They carry
opaque ids only: never a national ID number, a name, a phone number or a street address.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.envelope import EventData
from towngrid_contracts.fields import Id, KeyLabel, NonEmpty, Province, StaffId
from towngrid_contracts.topics import topic_name

RESIDENT_TOPIC = topic_name("registry", "resident")

QuarantineKind = Literal["home", "centralized"]
QuarantineOutcome = Literal["released", "hospitalized", "transferred"]
EscalationLevel = Literal["neighbour_group", "compound", "community", "town"]
DepartureReason = Literal["labor_batch", "other"]


class _ResidentEvent(EventData, topic=RESIDENT_TOPIC):
    resident_id: Id = Field(description="Opaque resident id (the aggregate id).")


class ResidentReturned(_ResidentEvent, event_type="registry.resident.returned"):
    """A returnee was registered (or re-registered: ``re_registration`` is then true)."""

    household_id: Id
    compound_id: Id
    origin_province: NonEmpty
    origin_city: NonEmpty
    from_risk_area: bool
    travel_mode: NonEmpty
    arrived_on: date
    re_registration: bool = False
    neighbour_group_id: Id | None = Field(default=None, description="The returnee's neighbour group, if known.")
    checklist_id: Id | None = Field(default=None, description="The follow-up checklist opened for the returnee.")
    changed_fields: list[Literal["name", "mobile", "address"]] | None = Field(
        default=None, description="A re-registration: which of the person's fields it changed (names only, never "
                                  "values; the earlier values stay in the registry's file).")
    holder_key_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex) of the holder key on this registration's slip (towngrid_kit.holder_keys): "
                    "an online permit application proves the holder with it. It replaces any earlier key.")


class _QuarantineEvent(_ResidentEvent):
    """An event about one of the resident's quarantines."""

    quarantine_id: Id


class QuarantineStarted(_QuarantineEvent, event_type="registry.quarantine.started"):
    household_id: Id
    compound_id: Id
    kind: QuarantineKind
    started_at: AwareDatetime
    planned_end: date
    contact_of_resident_id: Id | None = Field(
        default=None, description="Set when started for a close contact of this case."
    )
    decided_by: Id | None = Field(default=None, description="Opaque staff id of who decided it.")
    reason_code: Id | None = Field(
        default=None, description="Why, from the registry's configured list (the free text stays there)."
    )


PlannedEndChangeReason = Literal[
    "symptoms", "test_result", "contact_of_case", "policy_change", "medical_advice", "error_correction", "other"
]


class QuarantinePlannedEndChanged(_QuarantineEvent, event_type="registry.quarantine.planned_end_changed"):
    """A quarantine was extended or shortened; the free-text note stays in the registry."""

    previous_planned_end: date
    planned_end: date
    extended: bool = Field(description="True when the new end is later than the previous one.")
    reason: PlannedEndChangeReason
    changed_by: StaffId
    changed_at: AwareDatetime
    decided_by: Id | None = Field(default=None, description="Opaque staff id (as changed_by).")
    reason_code: Id | None = Field(
        default=None,
        description="Why, from the registry's configured list; ``reason`` is this code, or ``other`` if it is "
                    "not one of the original codes.",
    )


class HealthCheckMissed(_QuarantineEvent, event_type="registry.quarantine.health_check_missed"):
    """No health check was recorded for a person in quarantine on a whole day (town local date)."""

    compound_id: Id
    day: date
    flagged_at: AwareDatetime


class CloseContactLinked(_ResidentEvent, event_type="registry.contact.linked"):
    """A resident was linked to this case (the aggregate) as a close contact."""

    contact_resident_id: Id
    link_id: Id
    last_contact_on: date
    linked_by: StaffId
    linked_at: AwareDatetime


class _HealthCheckEvent(_QuarantineEvent):
    """An event about one health check during a quarantine."""

    check_id: Id


class HealthCheckRecorded(_HealthCheckEvent, event_type="registry.quarantine.health_check_recorded"):
    temperature_c: float = Field(ge=30, le=45)
    symptoms: list[str] = Field(default_factory=list)
    checked_by: StaffId = Field(description="Opaque staff id of the checker.")
    checked_at: AwareDatetime


class FeverAlertRaised(_HealthCheckEvent, event_type="registry.quarantine.fever_alert_raised"):
    """A health check found a temperature of 37.3 °C or more."""

    temperature_c: float
    checked_at: AwareDatetime


class QuarantineEnded(_QuarantineEvent, event_type="registry.quarantine.ended"):
    ended_at: AwareDatetime
    outcome: QuarantineOutcome
    decided_by: Id | None = Field(default=None, description="Opaque staff id of who ended it.")
    reason_code: Id | None = Field(
        default=None,
        description="Why, from the registry's configured list; ``appeal_overturned`` when an appeal ended it.",
    )
    appeal_id: Id | None = Field(default=None, description="The appeal whose outcome ended it, if any.")


class _ChecklistEvent(_ResidentEvent):
    """An event about the returnee's follow-up checklist."""

    checklist_id: Id
    compound_id: Id


class ChecklistCompleted(_ChecklistEvent, event_type="registry.checklist.completed"):
    """Every item of a returnee's follow-up checklist (the "eight ones") was verified."""

    item_codes: list[str] = Field(min_length=1, description="Codes of the verified items.")
    verified_by: StaffId = Field(description="Opaque staff id of the last verifier.")
    completed_at: AwareDatetime


class _ChecklistItemEvent(_ChecklistEvent):
    """An event about one item of the follow-up checklist."""

    item_code: Id


class ChecklistItemVerified(_ChecklistItemEvent, event_type="registry.checklist.item_verified"):
    """An officer verified one item of a returnee's follow-up checklist."""

    verified_by: StaffId = Field(description="Opaque staff id of the verifier.")
    verified_at: AwareDatetime
    was_overdue: bool = False


class ChecklistItemOverdue(_ChecklistItemEvent, event_type="registry.checklist.item_overdue"):
    """A checklist item was not verified by its due time."""

    due_at: AwareDatetime
    escalation_level: EscalationLevel | None = Field(
        default=None, description="The grid level now responsible: one level up for each further overdue period."
    )
    escalated_to: Id | None = Field(default=None, description="Opaque id of that grid unit.")
    overdue_periods: int | None = Field(default=None, ge=0, description="Whole periods past the due time (0 at first).")


class ResidentLeftTown(_ResidentEvent, event_type="registry.resident.left_town"):
    """The resident left town; for a labour batch, ``batch_id`` names it."""

    household_id: Id
    reason: DepartureReason
    destination_province: Province = Field(description="ISO 3166-2:CN code, e.g. CN-GD.")
    batch_id: Id | None = None
    left_at: AwareDatetime


class Resealed(EventData):
    """Mixin of the events that say a person's sealed data was sealed again under the registry's
    current key (key rotation): nothing about the person changed. List it before the aggregate's
    base, so the aggregate id stays the first field."""

    key_id: KeyLabel
    reencrypted_at: AwareDatetime


class ResidentPersonalDataReencrypted(
    Resealed, _ResidentEvent, event_type="registry.resident.personal_data_reencrypted"
):
    """The resident's sealed personal data was sealed again under the registry's current key
    (key rotation). Nothing about the person changed; ``key_id`` is the label of the new key."""

