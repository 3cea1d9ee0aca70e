"""Events about vulnerable residents: enrolment and care visits.

They live on ``registry.resident.v1`` keyed by ``resident_id``, next to the resident's other
events, so a person's enrolment and visits stay in order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from towngrid_contracts.fields import Id
from towngrid_contracts.registry.resident import _ResidentEvent

VulnerableCategory = Literal["elderly_living_alone", "homeless", "disabled", "other"]
CareVisitKind = Literal["home_visit", "relief_parcel", "medical"]


class VulnerableResidentEnrolled(_ResidentEvent, event_type="registry.vulnerable_resident.enrolled"):
    """A resident was enrolled for care: paired with a helper, visited and sent relief."""

    household_id: Id
    compound_id: Id
    category: VulnerableCategory
    care_pair_id: Id | None = None
    helper_id: Id | None = Field(
        default=None, description="Opaque id of the paired helper (staff or resident)."
    )
    visit_every_days: int = Field(ge=1, le=31)
    relief_every_days: int | None = Field(
        default=None, ge=1, le=31, description="Relief parcel schedule; none if no parcels."
    )
    enrolled_at: AwareDatetime


class CareVisitRecorded(_ResidentEvent, event_type="registry.care_visit.recorded"):
    """A helper visited a vulnerable resident (a delivered relief parcel counts as a visit)."""

    visit_id: Id
    kind: CareVisitKind
    care_pair_id: Id | None = None
    parcel_id: Id | None = Field(
        default=None, description="The relief parcel, when kind is relief_parcel."
    )
    supplies: list[str] = Field(
        default_factory=list, description="Supply codes handed over, e.g. mask, rice."
    )
    visited_by: Id = Field(description="Opaque staff or helper id.")
    visited_at: AwareDatetime


class CarePaired(_ResidentEvent, event_type="registry.care.paired"):
    """A vulnerable resident was paired with a helper (or given a new one)."""

    care_pair_id: Id
    helper_id: Id = Field(description="Opaque id of the helper (staff or resident).")
    previous_helper_id: Id | None = None
    paired_at: AwareDatetime


class CareVisitMissed(_ResidentEvent, event_type="registry.care_visit.missed"):
    """No visit was recorded for a vulnerable resident by the time one was due."""

    compound_id: Id
    care_pair_id: Id | None = None
    helper_id: Id | None = None
    due_at: AwareDatetime
    flagged_at: AwareDatetime
