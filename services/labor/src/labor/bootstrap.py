"""Builds the labor service's dependencies once (api and worker alike)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.grid import GridDirectory
from labor.adapters.projections import Projections
from towngrid_kit.repository import DataclassMapper, Repository
from towngrid_kit.unit_of_work import UnitOfWork
from labor.domain.batch import Batch
from labor.domain.employment import Demand, Employer, JobSeeker
from labor.domain.resumption import ResumptionCase
from labor.service.batches import Batches
from labor.service.employment import Employment
from labor.service.figures import Figures
from labor.service.resumption import Resumption

AGGREGATE_STORES = ["employers", "demands", "job_seekers", "batches", "resumption_cases"]


def _batch_index(b: Batch) -> dict:
    return {"status": b.status, "demand_id": b.demand_id, "enterprise_id": b.enterprise_id,
            "destination_province": b.destination_province, "worker_ids": [w.resident_id for w in b.workers],
            "worker_compounds": sorted({w.compound_id for w in b.workers if w.compound_id}), "flagged": any(not w.eligible for w in b.workers),
            "dispatched_count": len(b.boarded) if b.status != "open" else 0}


def _case_index(c: ResumptionCase) -> dict:
    still = c.open_problems()
    return {"enterprise_id": c.enterprise_id, "status": c.status, "officer_id": c.officer_id,
            "open_problems": len(still), "open_deadlines": [p.deadline for p in still],
            "unflagged_deadlines": [p.deadline for p in still if p.overdue_flagged_at is None]}


@dataclass
class Labor:
    employment: Employment
    batches: Batches
    resumption: Resumption
    figures: Figures
    projections: Projections
    repos: list[Repository]
    grid: GridDirectory

    async def prepare(self) -> None:
        """At start-up: indexes, then one-time data migrations."""
        for repo in self.repos:
            await repo.prepare()
        await self.projections.ensure_indexes()
        await self.projections.migrate()
        await self.grid.ensure_indexes()


def build(db: AsyncDatabase) -> Labor:
    employers = Repository(db, "employers", DataclassMapper(
        Employer, lambda e: e.enterprise_id,
        lambda e: {"province": e.province, "local": e.local, "enterprise_id": e.enterprise_id}), indexed=("province",))
    demands = Repository(db, "demands", DataclassMapper(
        Demand, lambda d: d.demand_id,
        lambda d: {"enterprise_id": d.enterprise_id, "status": d.status, "province": d.province}),
        indexed=("enterprise_id", "status"))
    seekers = Repository(db, "job_seekers", DataclassMapper(
        JobSeeker, lambda s: s.job_seeker_id,
        lambda s: {"resident_id": s.resident_id, "matched": s.match is not None, "skills": s.skills,
                   "compound_id": s.compound_id, "enterprise_id": s.match.enterprise_id if s.match else None,
                   "placement": s.match.placement if s.match else None,
                   "placed_locally": bool(s.match and s.match.placed_at)}), indexed=("matched", "skills"))
    batches = Repository(db, "batches", DataclassMapper(Batch, lambda b: b.batch_id, _batch_index),
                         indexed=("worker_ids", "status"))
    cases = Repository(db, "resumption_cases", DataclassMapper(ResumptionCase, lambda c: c.case_id, _case_index),
                       indexed=("status", "enterprise_id"))
    projections = Projections(db)
    e, d, s, b, c = (UnitOfWork(employers, "employer"), UnitOfWork(demands, "demand"),
                     UnitOfWork(seekers, "job seeker"), UnitOfWork(batches, "batch"),
                     UnitOfWork(cases, "resumption case"))
    return Labor(
        employment=Employment(e, d, s, projections),
        batches=Batches(b, d, s, projections),
        resumption=Resumption(c, e, d),
        figures=Figures(seekers, batches, cases, demands),
        projections=projections,
        repos=[employers, demands, seekers, batches, cases],
        grid=GridDirectory(db),
    )
