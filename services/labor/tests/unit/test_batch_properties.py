"""Property (Hypothesis state machine): whatever sequence of commands a dispatch batch gets, its
seats are never over-filled, it departs only with boarded eligible workers, only open → departed
→ arrived happens, and a refused command changes nothing."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from towngrid_kit.errors import DomainError
from labor.domain.batch import Batch
from labor.domain.eligibility import Certificate, evaluate
from labor.domain.employment import Demand, Employer

NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)
RESIDENTS = [f"res_{i}" for i in range(8)]
EDGES = {("open", "open"), ("open", "departed"), ("departed", "departed"), ("departed", "arrived"),
         ("arrived", "arrived")}


def demand() -> Demand:
    employer = Employer.register("ent_1", "某电子厂", "CN-GD", "441900", NOW)
    return Demand.post("dem_1", employer, title="操作工", job_category="assembly", skills=["soldering"], headcount=10,
                       wage_min_cents=400000, wage_max_cents=600000, start_date=date(2020, 3, 1), province=None,
                       city_code=None, health_certificate_required=True, at=NOW)


def eligibility(resident_id: str, quarantined: bool, certified: bool):  # noqa: ANN201
    certificates = [Certificate("pmt_1", "issued", NOW - timedelta(days=1), NOW + timedelta(days=30))] if certified else []
    return evaluate(resident_id, quarantined, certificates, NOW)


class BatchMachine(RuleBasedStateMachine):
    @initialize(seats=st.integers(1, 5))
    def schedule(self, seats: int) -> None:
        self.batch = Batch.schedule("bat_1", demand(), NOW + timedelta(days=2), "pmt_v", seats, NOW)
        self.clock = NOW
        self.departed_with: list[str] | None = None

    def attempt(self, command) -> bool:  # noqa: ANN001
        """Run ``command``; if the domain refuses it, the batch must be exactly as before."""
        before = copy.deepcopy(self.batch)
        status = self.batch.status
        try:
            command()
        except DomainError:
            assert self.batch == before, "a refused command changed the batch"
            return False
        assert (status, self.batch.status) in EDGES, f"{status} → {self.batch.status}"
        return True

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    @rule(rid=st.sampled_from(RESIDENTS), quarantined=st.booleans(), certified=st.booleans())
    def add(self, rid: str, quarantined: bool, certified: bool) -> None:
        seats_left = self.batch.seats_left
        already = any(w.resident_id == rid for w in self.batch.workers)
        added = self.attempt(lambda: self.batch.add_worker(rid, f"js_{rid}", f"mat_{rid}",
                                                           eligibility(rid, quarantined, certified), self.tick()))
        if added and not already:
            assert not quarantined and certified and seats_left > 0

    @rule(rid=st.sampled_from(RESIDENTS), quarantined=st.booleans(), certified=st.booleans())
    def board(self, rid: str, quarantined: bool, certified: bool) -> None:
        self.attempt(lambda: self.batch.check_boarding(eligibility(rid, quarantined, certified), self.tick()))

    @rule(rid=st.sampled_from(RESIDENTS), quarantined=st.booleans(), certified=st.booleans())
    def eligibility_changes(self, rid: str, quarantined: bool, certified: bool) -> None:
        self.attempt(lambda: self.batch.note_eligibility(eligibility(rid, quarantined, certified), self.tick()))

    @rule()
    def dispatch(self) -> None:
        boarded = [w.resident_id for w in self.batch.boarded]
        if self.attempt(lambda: self.batch.dispatch(self.tick(), "stf_escort")):
            assert boarded, "departed with nobody on board"
            self.departed_with = boarded

    @rule(count=st.integers(0, 6))
    def arrive(self, count: int) -> None:
        if self.attempt(lambda: self.batch.arrive(count, self.tick())):
            assert self.departed_with is not None and count <= len(self.departed_with)

    @invariant()
    def seats_never_over_filled(self) -> None:
        assert 0 <= len(self.batch.workers) <= self.batch.seats
        assert len({w.resident_id for w in self.batch.workers}) == len(self.batch.workers)

    @invariant()
    def boarded_workers_are_eligible(self) -> None:
        assert all(w.eligible for w in self.batch.workers if w.boarding == "boarded")

    @invariant()
    def departed_batches_name_who_left(self) -> None:
        if self.batch.status != "open":
            assert self.departed_with and self.batch.departed_at is not None


TestBatchMachine = BatchMachine.TestCase
TestBatchMachine.settings = settings(max_examples=100, stateful_step_count=25, deadline=None)
