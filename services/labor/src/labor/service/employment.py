"""Use cases of employers, labour demand, job seekers, matching and local placement."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from towngrid_kit.concurrency import KeyedLocks
from towngrid_kit.errors import Conflict, ConcurrentModification, InvalidInput, NotFound
from labor.adapters.projections import Projections
from labor.domain.eligibility import NotEligible
from labor.domain.employment import Demand, Employer, JobSeeker, Match, SeekerMatch
from labor.domain.matching import Candidate, rank
from towngrid_kit.ids import new_id, utcnow
from towngrid_kit.unit_of_work import UnitOfWork


CANDIDATE_POOL = 5000  # unmatched seekers with a wanted skill, considered per ranking


def job_seeker_id_of(resident_id: str) -> str:
    """One registration per resident: the seeker id is derived from the resident id."""
    return f"js_{resident_id}"


def match_id_of(demand_id: str, job_seeker_id: str) -> str:
    return "mat_" + hashlib.sha256(f"{demand_id}|{job_seeker_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DemandInput:
    enterprise_id: str
    title: str
    job_category: str
    skills: list[str]
    headcount: int
    wage_min_cents: int
    wage_max_cents: int
    start_date: date
    province: str | None
    city_code: str | None
    health_certificate_required: bool


class Employment:
    def __init__(self, employers: UnitOfWork[Employer], demands: UnitOfWork[Demand], seekers: UnitOfWork[JobSeeker],
                 projections: Projections) -> None:
        self.employers = employers
        self.demands = demands
        self.seekers = seekers
        self.projections = projections
        self._match_locks = KeyedLocks()  # one confirmation per seeker at a time (in this process)

    async def register_employer(self, name: str, province: str, city_code: str) -> Employer:
        enterprise_id = new_id("ent")
        return await self.employers.add(Employer.register(enterprise_id, name, province, city_code, utcnow()))

    async def post_demand(self, data: DemandInput) -> Demand:
        employer = await self.employers.repo.get(data.enterprise_id)
        if employer is None:
            raise InvalidInput(f"no employer {data.enterprise_id}", field="body.enterprise_id")
        demand_id = new_id("dem")
        demand = Demand.post(
            demand_id, employer, title=data.title, job_category=data.job_category, skills=data.skills,
            headcount=data.headcount, wage_min_cents=data.wage_min_cents, wage_max_cents=data.wage_max_cents,
            start_date=data.start_date, province=data.province, city_code=data.city_code,
            health_certificate_required=data.health_certificate_required, at=utcnow())
        return await self.demands.add(demand)

    async def register_seeker(self, resident_id: str, skills: list[str], preferred: list[str]) -> tuple[JobSeeker, bool]:
        """Opt-in registration of a resident known from the registry's events; again: the same seeker."""
        known = await self.projections.known_resident(resident_id)
        if known is None or not known.get("compound_id"):
            raise InvalidInput(f"resident {resident_id} is not known from the registry's events",
                               field="body.resident_id")
        seeker_id = job_seeker_id_of(resident_id)
        existing = await self.seekers.repo.get(seeker_id)
        if existing is not None:
            return existing, False
        seeker = JobSeeker.register(seeker_id, resident_id, known["compound_id"], skills, preferred, utcnow())
        try:
            await self.seekers.add(seeker)
        except ConcurrentModification:
            return await self.seekers.get(seeker_id), False
        return seeker, True

    async def candidates(self, demand_id: str, limit: int) -> tuple[Demand, list[Candidate]]:
        demand = await self.demands.get(demand_id)
        wanted = sorted({demand.job_category, *demand.skills})
        seekers = await self.seekers.repo.find({"matched": False, "skills": {"$in": wanted}}, limit=CANDIDATE_POOL)
        eligibility = await self.projections.eligibility([s.resident_id for s in seekers], utcnow())
        return demand, rank(demand, seekers, eligibility)[:limit]

    async def confirm_match(self, demand_id: str, job_seeker_id: str, placement: str) -> tuple[Demand, JobSeeker, str]:
        async with self._match_locks.hold(job_seeker_id):
            return await self._confirm(demand_id, job_seeker_id, placement)

    async def _confirm(self, demand_id: str, job_seeker_id: str, placement: str) -> tuple[Demand, JobSeeker, str]:
        seeker = await self.seekers.repo.get(job_seeker_id)
        if seeker is None:
            raise InvalidInput(f"no job seeker {job_seeker_id}", field="body.job_seeker_id")
        demand = await self.demands.get(demand_id)
        match_id = match_id_of(demand_id, job_seeker_id)
        if seeker.match is not None and seeker.match.match_id != match_id:
            raise Conflict(f"job seeker {job_seeker_id} is already matched to demand {seeker.match.demand_id}")
        if demand.health_certificate_required and demand.match_of(job_seeker_id) is None:
            eligibility = await self.projections.eligibility_of(seeker.resident_id, utcnow())
            if not eligibility.eligible:
                raise NotEligible(f"job seeker {job_seeker_id}", eligibility)
        now = utcnow()
        # The demand first: it alone decides whether a position is left (never over-filled).
        demand = await self.demands.change(demand_id, lambda d: d.fill(
            Match(match_id, job_seeker_id, seeker.resident_id, placement, now)))
        filled = demand.match_of(job_seeker_id)
        assert filled is not None
        seeker = await self.seekers.change(job_seeker_id, lambda s: s.matched(SeekerMatch(
            match_id, demand_id, demand.enterprise_id, filled.placement, filled.matched_at)))
        return demand, seeker, match_id

    async def place_locally(self, job_seeker_id: str) -> JobSeeker:
        now = utcnow()
        return await self.seekers.change(job_seeker_id, lambda s: s.place_locally(now))

    async def get_employer(self, enterprise_id: str) -> Employer:
        return await self.employers.get(enterprise_id)

    async def seeker_if_any(self, job_seeker_id: str) -> JobSeeker | None:
        return await self.seekers.repo.get(job_seeker_id)

    async def page_employers(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Employer]:
        return await self.employers.repo.find(filters, after=after, limit=limit)

    async def page_demands(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Demand]:
        return await self.demands.repo.find(filters, after=after, limit=limit)

    async def page_seekers(self, filters: dict[str, Any], after: str | None, limit: int) -> list[JobSeeker]:
        return await self.seekers.repo.find(filters, after=after, limit=limit)


async def must_exist(changer: UnitOfWork, aggregate_id: str, field: str):  # noqa: ANN201
    try:
        return await changer.get(aggregate_id)
    except NotFound as error:
        raise InvalidInput(error.detail, field=field) from None
