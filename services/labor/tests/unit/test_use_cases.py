"""Use cases against in-memory fakes: a match is two commits (demand, then seeker); a retry
after a failure between them completes it without filling a second position."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from towngrid_kit.errors import ConcurrentModification, Conflict
from labor.domain.eligibility import Certificate, Eligibility, evaluate
from labor.domain.employment import Demand, Employer, JobSeeker
from labor.service.employment import DemandInput, Employment, job_seeker_id_of
from towngrid_kit.unit_of_work import UnitOfWork

NOW = datetime.now(UTC)


class FakeRepo:
    def __init__(self, id_field: str) -> None:
        self.id_field = id_field
        self.rows: dict[str, tuple[Any, int]] = {}
        self.events: list[Any] = []
        self.fail_next_save = False

    async def get(self, aggregate_id: str) -> Any:  # noqa: ANN401
        if aggregate_id not in self.rows:
            return None
        state, version = self.rows[aggregate_id]
        found = copy.deepcopy(state)
        found.version = version
        return found

    async def save(self, aggregate: Any) -> bool:  # noqa: ANN401
        events, aggregate.pending = aggregate.pending, []
        if not events:
            return False
        if self.fail_next_save:
            self.fail_next_save = False
            raise ConnectionError("database went away")
        key = getattr(aggregate, self.id_field)
        if self.rows.get(key, (None, 0))[1] != aggregate.version:
            raise ConcurrentModification("changed concurrently")
        aggregate.version += len(events)
        self.rows[key] = (copy.deepcopy(aggregate), aggregate.version)
        self.events += events
        return True


class FakeProjections:
    def __init__(self) -> None:
        self.quarantined: set[str] = set()
        self.certified: set[str] = set()

    async def known_resident(self, resident_id: str) -> dict[str, Any]:
        return {"_id": resident_id, "compound_id": "C03-017"}

    async def eligibility_of(self, resident_id: str, now: datetime) -> Eligibility:
        certs = [Certificate("pmt_1", "issued", now - timedelta(days=1), now + timedelta(days=9))] \
            if resident_id in self.certified else []
        return evaluate(resident_id, resident_id in self.quarantined, certs, now)


def setup() -> tuple[Employment, FakeRepo, FakeRepo, FakeProjections]:
    employers, demands, seekers = FakeRepo("enterprise_id"), FakeRepo("demand_id"), FakeRepo("job_seeker_id")
    projections = FakeProjections()
    use = Employment(UnitOfWork(employers, "employer"), UnitOfWork(demands, "demand"), UnitOfWork(seekers, "job seeker"),
                     projections)  # type: ignore[arg-type]
    return use, demands, seekers, projections


async def post(use: Employment, headcount: int = 1) -> Demand:
    employer = await use.register_employer("厂", "CN-GD", "441900")
    return await use.post_demand(DemandInput(employer.enterprise_id, "工", "assembly", [], headcount, 1, 2,
                                             date(2030, 3, 1), None, None, True))


async def test_a_retry_after_a_failure_between_the_two_commits_completes_the_match() -> None:
    use, demands, seekers, projections = setup()
    demand = await post(use, headcount=2)
    seeker, created = await use.register_seeker("res_1", ["assembly"], [])
    assert created and seeker.job_seeker_id == job_seeker_id_of("res_1")
    projections.certified.add("res_1")

    seekers.fail_next_save = True
    with pytest.raises(ConnectionError):
        await use.confirm_match(demand.demand_id, seeker.job_seeker_id, "batch")
    assert (await demands.get(demand.demand_id)).filled == 1
    assert (await seekers.get(seeker.job_seeker_id)).match is None

    again, matched, match_id = await use.confirm_match(demand.demand_id, seeker.job_seeker_id, "batch")
    assert again.filled == 1, "the retry fills no second position"
    assert matched.match is not None and matched.match.match_id == match_id
    assert [type(e).__name__ for e in seekers.events] == ["JobSeekerRegistered", "WorkerMatched"]
    assert [type(e).__name__ for e in demands.events] == ["LaborDemandPosted", "DemandPositionFilled"]


async def test_confirming_twice_is_a_no_op_and_a_second_demand_is_refused() -> None:
    use, demands, seekers, projections = setup()
    first, second = await post(use), await post(use)
    seeker, _ = await use.register_seeker("res_2", ["assembly"], [])
    again, created = await use.register_seeker("res_2", ["welding"], [])
    assert not created and again.skills == ["assembly"]
    projections.certified.add("res_2")
    await use.confirm_match(first.demand_id, seeker.job_seeker_id, "batch")
    await use.confirm_match(first.demand_id, seeker.job_seeker_id, "batch")
    with pytest.raises(Conflict):
        await use.confirm_match(second.demand_id, seeker.job_seeker_id, "batch")
    assert len(seekers.events) == 2 and (await demands.get(second.demand_id)).filled == 0


async def test_an_ineligible_seeker_is_not_matched_to_a_demand_that_needs_a_certificate() -> None:
    use, demands, _, projections = setup()
    demand = await post(use)
    seeker, _ = await use.register_seeker("res_3", ["assembly"], [])
    projections.certified.add("res_3")
    projections.quarantined.add("res_3")
    with pytest.raises(Conflict) as refused:
        await use.confirm_match(demand.demand_id, seeker.job_seeker_id, "batch")
    assert "quarantine" in refused.value.detail
    assert (await demands.get(demand.demand_id)).filled == 0
