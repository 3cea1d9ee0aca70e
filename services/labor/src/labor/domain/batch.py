"""A dispatch batch: workers for one demand in another province, one vehicle, its seats.

open → departed → arrived. Workers join only while eligible and while seats remain; an
eligibility change of a worker in an open batch is flagged at once (and a boarded worker who
becomes ineligible is taken off); at the door each worker is re-checked, and the batch
departs with the boarded, eligible workers only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.labor import (
    BatchArrived,
    BatchBoardingChecked,
    BatchDispatched,
    BatchScheduled,
    BatchWorkerAdded,
    BatchWorkerFlagged,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from labor.domain.eligibility import Eligibility, NotEligible
from labor.domain.employment import Demand


@dataclass
class BatchWorker:
    resident_id: str
    job_seeker_id: str
    match_id: str
    added_at: datetime
    eligible: bool = True
    reasons: list[str] = field(default_factory=list)
    flagged_at: datetime | None = None
    boarding: str | None = None  # None (not checked), "boarded", "left_off"
    boarding_reasons: list[str] = field(default_factory=list)
    checked_at: datetime | None = None
    compound_id: str | None = None  # where the worker lives (the job seeker's compound): who in the grid sees them


@dataclass
class Batch:
    batch_id: str
    demand_id: str
    enterprise_id: str
    destination_province: str
    destination_city_code: str
    departure_at: datetime
    vehicle_pass_id: str
    seats: int
    status: str = "open"
    workers: list[BatchWorker] = field(default_factory=list)
    departed_at: datetime | None = None
    escort_staff_id: str | None = None
    arrived_at: datetime | None = None
    arrived_worker_count: int | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @classmethod
    def schedule(cls, batch_id: str, demand: Demand, departure_at: datetime, vehicle_pass_id: str, seats: int,
                 now: datetime) -> "Batch":
        if demand.local:
            raise Conflict(f"demand {demand.demand_id} is local: its workers are placed locally, not sent in a batch")
        if departure_at <= now:
            raise InvalidInput("departure_at must be in the future", field="body.departure_at")
        if seats < 1:
            raise InvalidInput("seats must be at least 1", field="body.seats")
        batch = cls(batch_id, demand.demand_id, demand.enterprise_id, demand.province, demand.city_code,
                    departure_at, vehicle_pass_id, seats)
        batch.pending.append(BatchScheduled(
            batch_id=batch_id, demand_id=demand.demand_id, enterprise_id=demand.enterprise_id,
            destination_province=demand.province, destination_city_code=demand.city_code,
            departure_at=departure_at, vehicle_pass_id=vehicle_pass_id, seats=seats))
        return batch

    @property
    def seats_left(self) -> int:
        return self.seats - len(self.workers)

    @property
    def boarded(self) -> list[BatchWorker]:
        return [w for w in self.workers if w.boarding == "boarded" and w.eligible]

    def worker(self, resident_id: str) -> BatchWorker:
        for w in self.workers:
            if w.resident_id == resident_id:
                return w
        raise NotFound(f"resident {resident_id} is not in batch {self.batch_id}")

    def _must_be_open(self) -> None:
        if self.status != "open":
            raise Conflict(f"batch {self.batch_id} has {self.status}")

    def add_worker(self, resident_id: str, job_seeker_id: str, match_id: str, eligibility: Eligibility,
                   at: datetime, compound_id: str | None = None) -> None:
        self._must_be_open()
        if any(w.resident_id == resident_id for w in self.workers):
            return  # already in: nothing changes
        if not eligibility.eligible:
            raise NotEligible(f"resident {resident_id}", eligibility)
        if self.seats_left <= 0:
            raise Conflict(f"batch {self.batch_id} has no seat left ({self.seats} seats)")
        self.workers.append(BatchWorker(resident_id, job_seeker_id, match_id, at, compound_id=compound_id))
        self.pending.append(BatchWorkerAdded(
            batch_id=self.batch_id, resident_id=resident_id, job_seeker_id=job_seeker_id, match_id=match_id,
            added_at=at))

    def note_eligibility(self, eligibility: Eligibility, at: datetime) -> None:
        """Flag a change of a worker's eligibility (no change: nothing recorded)."""
        if self.status != "open":
            return
        w = self.worker(eligibility.resident_id)
        if w.eligible == eligibility.eligible and w.reasons == eligibility.reasons:
            return
        w.eligible, w.reasons, w.flagged_at = eligibility.eligible, list(eligibility.reasons), at
        if not w.eligible and w.boarding == "boarded":
            w.boarding, w.boarding_reasons, w.checked_at = "left_off", list(eligibility.reasons), at
        self.pending.append(BatchWorkerFlagged(
            batch_id=self.batch_id, resident_id=w.resident_id, eligible=w.eligible, reasons=w.reasons,
            flagged_at=at))

    def check_boarding(self, eligibility: Eligibility, at: datetime) -> BatchWorker:
        self._must_be_open()
        if not any(w.resident_id == eligibility.resident_id for w in self.workers):
            raise InvalidInput(f"resident {eligibility.resident_id} is not on batch {self.batch_id}",
                               field="body.resident_id")
        w = self.worker(eligibility.resident_id)
        if w.boarding == "boarded" and eligibility.eligible:
            return w  # already on board and still eligible
        w.eligible, w.reasons = eligibility.eligible, list(eligibility.reasons)
        w.boarding = "boarded" if eligibility.eligible else "left_off"
        w.boarding_reasons, w.checked_at = list(eligibility.reasons), at
        self.pending.append(BatchBoardingChecked(
            batch_id=self.batch_id, resident_id=w.resident_id, boarded=eligibility.eligible,
            reasons=w.boarding_reasons, checked_at=at))
        return w

    def dispatch(self, at: datetime, escort_staff_id: str | None = None) -> None:
        self._must_be_open()
        boarded = self.boarded
        if not boarded:
            raise Conflict(f"batch {self.batch_id} has nobody boarded; check workers at the door first")
        self.status, self.departed_at = "departed", at
        self.pending.append(BatchDispatched(
            batch_id=self.batch_id, destination_province=self.destination_province,
            enterprise_ids=[self.enterprise_id], worker_resident_ids=[w.resident_id for w in boarded],
            escort_staff_id=escort_staff_id, departed_at=at))
        self.escort_staff_id = escort_staff_id

    def arrive(self, arrived_worker_count: int, at: datetime) -> None:
        if self.status != "departed":
            raise Conflict(f"batch {self.batch_id} is {self.status}, not on its way")
        if arrived_worker_count > len(self.boarded):
            raise InvalidInput(f"only {len(self.boarded)} workers departed", field="body.arrived_worker_count")
        self.status, self.arrived_at, self.arrived_worker_count = "arrived", at, arrived_worker_count
        self.pending.append(BatchArrived(
            batch_id=self.batch_id, destination_province=self.destination_province,
            arrived_worker_count=arrived_worker_count, arrived_at=at))
