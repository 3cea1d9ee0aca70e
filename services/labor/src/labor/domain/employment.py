"""Employers, their labour demand and the job seekers who register: plain Python, no I/O.

A demand is the one authority on how many of its positions are filled, so it can never be
over-filled: each confirmed match is a position filled on the demand first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.labor import (
    DemandPositionFilled,
    EmployerRegistered,
    JobSeekerRegistered,
    LaborDemandPosted,
    WorkerMatched,
    WorkerPlacedLocally,
)
from towngrid_kit.errors import Conflict, InvalidInput
from labor.domain.places import city_problem, is_local, province_problem

PLACEMENTS = ("local", "batch")


def check_place(province: str, city_code: str, prefix: str = "body.") -> None:
    if problem := province_problem(province):
        raise InvalidInput(problem, field=f"{prefix}province")
    if problem := city_problem(province, city_code):
        raise InvalidInput(problem, field=f"{prefix}city_code")


@dataclass
class Employer:
    enterprise_id: str
    name: str  # stays here: never in an event
    province: str
    city_code: str
    registered_at: datetime
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @property
    def local(self) -> bool:
        return is_local(self.province)

    @classmethod
    def register(cls, enterprise_id: str, name: str, province: str, city_code: str, at: datetime) -> "Employer":
        check_place(province, city_code)
        employer = cls(enterprise_id, name, province, city_code, at)
        employer.pending.append(EmployerRegistered(
            enterprise_id=enterprise_id, province=province, city_code=city_code, local=employer.local, registered_at=at))
        return employer


@dataclass
class Match:
    match_id: str
    job_seeker_id: str
    resident_id: str
    placement: str
    matched_at: datetime


@dataclass
class Demand:
    demand_id: str
    enterprise_id: str
    title: str
    job_category: str
    skills: list[str]
    headcount: int
    wage_min_cents: int
    wage_max_cents: int
    start_date: date
    province: str
    city_code: str
    health_certificate_required: bool
    posted_at: datetime
    matches: list[Match] = field(default_factory=list)
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @property
    def filled(self) -> int:
        return len(self.matches)

    @property
    def open_positions(self) -> int:
        return self.headcount - self.filled

    @property
    def status(self) -> str:
        return "filled" if self.open_positions <= 0 else "open"

    @property
    def local(self) -> bool:
        return is_local(self.province)

    @classmethod
    def post(cls, demand_id: str, employer: Employer, *, title: str, job_category: str, skills: list[str],
             headcount: int, wage_min_cents: int, wage_max_cents: int, start_date: date, province: str | None,
             city_code: str | None, health_certificate_required: bool, at: datetime) -> "Demand":
        if wage_min_cents > wage_max_cents:
            raise InvalidInput("wage_min_cents must not be above wage_max_cents", field="body.wage_min_cents")
        if headcount < 1:
            raise InvalidInput("headcount must be at least 1", field="body.headcount")
        province = province or employer.province
        city_code = city_code or (employer.city_code if province == employer.province else None)
        if city_code is None:
            raise InvalidInput("city_code is needed when the demand is in another province than the employer",
                               field="body.city_code")
        check_place(province, city_code)
        demand = cls(demand_id, employer.enterprise_id, title, job_category, sorted(set(skills)), headcount,
                     wage_min_cents, wage_max_cents, start_date, province, city_code, health_certificate_required, at)
        demand.pending.append(LaborDemandPosted(
            demand_id=demand_id, enterprise_id=employer.enterprise_id, job_category=job_category, headcount=headcount,
            province=province, health_certificate_required=health_certificate_required, posted_at=at,
            city_code=city_code, skills=demand.skills, wage_min_cents=wage_min_cents, wage_max_cents=wage_max_cents,
            start_date=start_date))
        return demand

    def match_of(self, job_seeker_id: str) -> Match | None:
        return next((m for m in self.matches if m.job_seeker_id == job_seeker_id), None)

    def fill(self, match: Match) -> None:
        """Fill one position with ``match``; a repeat of the same match changes nothing."""
        if self.match_of(match.job_seeker_id) is not None:
            return
        if match.placement == "local" and not self.local:
            raise InvalidInput("a demand in another province is filled with placement 'batch'", field="body.placement")
        if match.placement == "batch" and self.local:
            raise InvalidInput("a local demand is filled with placement 'local'", field="body.placement")
        if self.open_positions <= 0:
            raise Conflict(f"demand {self.demand_id} is already filled ({self.filled} of {self.headcount})")
        self.matches.append(match)
        self.pending.append(DemandPositionFilled(
            demand_id=self.demand_id, match_id=match.match_id, job_seeker_id=match.job_seeker_id,
            filled=self.filled, headcount=self.headcount, filled_at=match.matched_at))


@dataclass
class SeekerMatch:
    match_id: str
    demand_id: str
    enterprise_id: str
    placement: str
    matched_at: datetime
    placed_at: datetime | None = None


@dataclass
class JobSeeker:
    job_seeker_id: str
    resident_id: str
    compound_id: str
    skills: list[str]
    preferred_provinces: list[str]
    registered_at: datetime
    match: SeekerMatch | None = None
    version: int = 0
    pending: list[EventData] = field(default_factory=list)

    @classmethod
    def register(cls, job_seeker_id: str, resident_id: str, compound_id: str, skills: list[str],
                 preferred_provinces: list[str], at: datetime) -> "JobSeeker":
        for n, province in enumerate(preferred_provinces):
            if problem := province_problem(province):
                raise InvalidInput(problem, field=f"body.preferred_provinces.{n}")
        seeker = cls(job_seeker_id, resident_id, compound_id, sorted(set(skills)),
                     list(dict.fromkeys(preferred_provinces)), at)
        seeker.pending.append(JobSeekerRegistered(
            job_seeker_id=job_seeker_id, resident_id=resident_id, compound_id=compound_id,
            job_categories=seeker.skills, preferred_provinces=seeker.preferred_provinces, registered_at=at))
        return seeker

    def matched(self, match: SeekerMatch) -> None:
        if self.match is not None:
            if self.match.match_id == match.match_id:
                return  # the same confirmation again
            raise Conflict(f"job seeker {self.job_seeker_id} is already matched ({self.match.match_id})")
        self.match = match
        self.pending.append(WorkerMatched(
            job_seeker_id=self.job_seeker_id, match_id=match.match_id, resident_id=self.resident_id,
            demand_id=match.demand_id, enterprise_id=match.enterprise_id, placement=match.placement,
            matched_at=match.matched_at))

    def place_locally(self, at: datetime) -> None:
        if self.match is None or self.match.placement != "local":
            raise Conflict(f"job seeker {self.job_seeker_id} has no local match to place")
        if self.match.placed_at is not None:
            raise Conflict(f"job seeker {self.job_seeker_id} was already placed on {self.match.placed_at.isoformat()}")
        self.match.placed_at = at
        self.pending.append(WorkerPlacedLocally(
            job_seeker_id=self.job_seeker_id, match_id=self.match.match_id, resident_id=self.resident_id,
            demand_id=self.match.demand_id, enterprise_id=self.match.enterprise_id, placed_at=at))
