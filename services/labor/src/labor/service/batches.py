"""Use cases of dispatch batches, and the consumer-side re-check of workers in open batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from towngrid_kit.errors import Conflict, InvalidInput
from labor.adapters.projections import Projections
from labor.domain.batch import Batch, BatchWorker
from labor.domain.employment import Demand, JobSeeker
from labor.service.employment import must_exist
from towngrid_kit.ids import new_id, utcnow
from towngrid_kit.unit_of_work import UnitOfWork


class Batches:
    def __init__(self, batches: UnitOfWork[Batch], demands: UnitOfWork[Demand], seekers: UnitOfWork[JobSeeker],
                 projections: Projections) -> None:
        self.batches = batches
        self.demands = demands
        self.seekers = seekers
        self.projections = projections

    async def schedule(self, demand_id: str, departure_at: datetime, vehicle_pass_id: str, seats: int) -> Batch:
        demand = await must_exist(self.demands, demand_id, "body.demand_id")
        now = utcnow()
        vehicle = await self.projections.permit_doc(vehicle_pass_id)
        if vehicle is None or vehicle.get("permit_type") != "vehicle_pass":
            raise InvalidInput(f"{vehicle_pass_id} is not a vehicle pass known from the permits' events",
                               field="body.vehicle_pass_id")
        valid_until = vehicle.get("valid_until")
        if vehicle.get("status") not in ("issued", "reinstated") or valid_until is None or valid_until <= departure_at:
            raise InvalidInput(f"vehicle pass {vehicle_pass_id} is {vehicle.get('status')} or not valid at departure",
                               field="body.vehicle_pass_id")
        batch_id = new_id("bat")
        return await self.batches.add(Batch.schedule(batch_id, demand, departure_at, vehicle_pass_id, seats, now))

    async def add_worker(self, batch_id: str, job_seeker_id: str) -> Batch:
        seeker = await must_exist(self.seekers, job_seeker_id, "body.job_seeker_id")
        batch = await self.batches.get(batch_id)
        match = seeker.match
        if match is None or match.demand_id != batch.demand_id or match.placement != "batch":
            raise Conflict(f"job seeker {job_seeker_id} has no confirmed batch match to demand {batch.demand_id}")
        elsewhere = await self.batches.repo.count(
            {"worker_ids": seeker.resident_id, "status": "open", "_id": {"$ne": batch_id}})
        if elsewhere:
            raise Conflict(f"resident {seeker.resident_id} is already in another open batch")

        async def add(b: Batch) -> None:
            eligibility = await self.projections.eligibility_of(seeker.resident_id, utcnow())
            b.add_worker(seeker.resident_id, job_seeker_id, match.match_id, eligibility, utcnow(), seeker.compound_id)

        await self.batches.change(batch_id, add)
        # Read again after the commit: an eligibility event the worker applied meanwhile may have
        # looked for this batch before the worker was in it. One of the two re-checks sees it.
        return await self._note(batch_id, seeker.resident_id)

    async def _note(self, batch_id: str, resident_id: str) -> Batch:
        async def note(b: Batch) -> None:
            b.note_eligibility(await self.projections.eligibility_of(resident_id, utcnow()), utcnow())

        return await self.batches.change(batch_id, note)

    async def board(self, batch_id: str, resident_id: str) -> tuple[Batch, BatchWorker]:
        async def check(b: Batch) -> None:
            b.check_boarding(await self.projections.eligibility_of(resident_id, utcnow()), utcnow())

        batch = await self.batches.change(batch_id, check)
        return batch, batch.worker(resident_id)

    async def dispatch(self, batch_id: str, escort_staff_id: str | None = None) -> Batch:
        now = utcnow()
        return await self.batches.change(batch_id, lambda b: b.dispatch(now, escort_staff_id))

    async def arrive(self, batch_id: str, arrived_worker_count: int) -> Batch:
        now = utcnow()
        return await self.batches.change(batch_id, lambda b: b.arrive(arrived_worker_count, now))

    async def recheck_open_batches(self) -> int:
        """Re-check every worker of every open batch against the clock: a health certificate
        that ran out (``valid_until`` passed, no event says so) is flagged like any other change.
        Idempotent: only a changed eligibility records a flag."""
        docs = await self.batches.repo.fields({"status": "open"}, {"_id": 1, "version": 1, "worker_ids": 1})
        changed = 0
        for doc in docs:
            version = doc["version"]
            for resident_id in doc.get("worker_ids", []):
                batch = await self._note(doc["_id"], resident_id)
                changed, version = changed + (batch.version != version), batch.version
        return changed

    async def page(self, filters: dict[str, Any], after: str | None, limit: int) -> list[Batch]:
        return await self.batches.repo.find(filters, after=after, limit=limit)

    async def demand_if_any(self, demand_id: str) -> Demand | None:
        return await self.demands.repo.get(demand_id)

    async def recheck_resident(self, resident_id: str) -> int:
        """Flag a change of ``resident_id``'s eligibility on every open batch that holds them.

        Idempotent: a batch records a flag only when the worker's eligibility differs from what
        it last recorded, so a redelivered event (or a replay) changes nothing.
        """
        docs = await self.batches.repo.fields({"worker_ids": resident_id, "status": "open"}, {"_id": 1, "version": 1})
        changed = 0
        for doc in docs:
            changed += (await self._note(doc["_id"], resident_id)).version != doc["version"]
        return changed
