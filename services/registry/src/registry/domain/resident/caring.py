"""Care of a vulnerable resident: enrolment, a helper, visits (a relief parcel counts once) and visits missed."""

from __future__ import annotations

from datetime import datetime

from towngrid_contracts.registry import CarePaired, CareVisitMissed, CareVisitRecorded, VulnerableResidentEnrolled
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.domain.care import Care, CareVisit
from registry.domain.resident.state import ResidentState


class Caring(ResidentState):
    """The care rules of a vulnerable resident's file."""

    def enrol_vulnerable(self, category: str, visit_every_days: int, relief_every_days: int | None,
                         at: datetime) -> Care:
        if self.care is not None:
            raise Conflict(f"resident {self.resident_id} is already enrolled ({self.care.category})")
        self.care = Care(category, visit_every_days, relief_every_days, at)
        self.pending.append(VulnerableResidentEnrolled(
            resident_id=self.resident_id, household_id=self.household_id, compound_id=self.compound_id,
            category=category, visit_every_days=visit_every_days, relief_every_days=relief_every_days,
            enrolled_at=at,
        ))
        return self.care

    def _care(self) -> Care:
        if self.care is None:
            raise NotFound(f"resident {self.resident_id} is not enrolled as a vulnerable resident")
        return self.care

    def pair_helper(self, care_pair_id: str, helper_id: str, at: datetime) -> Care:
        care = self._care()
        if helper_id == self.resident_id:
            raise InvalidInput("a resident is not their own helper", field="body.helper_id")
        if care.helper_id == helper_id:
            raise Conflict(f"{helper_id} is already the helper")
        previous, care.helper_id, care.care_pair_id = care.helper_id, helper_id, care_pair_id
        self.pending.append(CarePaired(resident_id=self.resident_id, care_pair_id=care_pair_id, helper_id=helper_id,
                                       previous_helper_id=previous, paired_at=at))
        return care

    def record_visit(self, visit: CareVisit) -> bool:
        """Record a visit; False (nothing recorded) for a relief parcel already recorded."""
        care = self._care()
        if visit.parcel_id and any(v.parcel_id == visit.parcel_id for v in care.visits):
            return False
        if visit.visited_at < care.enrolled_at:
            raise InvalidInput("visited_at is before the enrolment", field="body.visited_at")
        care.visits.append(visit)
        self.pending.append(CareVisitRecorded(
            resident_id=self.resident_id, visit_id=visit.visit_id, kind=visit.kind, care_pair_id=care.care_pair_id,
            parcel_id=visit.parcel_id, supplies=visit.supplies, visited_by=visit.visited_by,
            visited_at=visit.visited_at,
        ))
        return True

    def flag_missed_visits(self, now: datetime) -> int:
        if self.care is None or self.left_town is not None:
            return 0
        flagged = 0
        while (due := self.care.next_due()) <= now and flagged < 60:
            self.care.missed.append(due)
            self.pending.append(CareVisitMissed(
                resident_id=self.resident_id, compound_id=self.compound_id, care_pair_id=self.care.care_pair_id,
                helper_id=self.care.helper_id, due_at=due, flagged_at=now,
            ))
            flagged += 1
        return flagged

    def care_visit_due(self) -> datetime | None:
        return self.care.next_due() if self.care is not None and self.left_town is None else None
