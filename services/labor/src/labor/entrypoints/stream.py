"""The labor worker: keeps eligibility from the registry's and the permits' events, flags
workers of open batches whose eligibility changed, and relays its outbox."""

from __future__ import annotations

import asyncio
import logging

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.envelope import Envelope
from towngrid_contracts.permits import PermitExpired, PermitIssued, PermitReinstated, PermitRevoked, PermitSuspended
from towngrid_contracts.registry import CompoundRegistered, QuarantineEnded, QuarantineStarted, ResidentReturned
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.periodic import run_beside, run_periodically
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from labor.bootstrap import AGGREGATE_STORES, Labor, build
from labor.config import LaborSettings

TRACKED_PERMITS = ("health_certificate", "vehicle_pass")
log = logging.getLogger(__name__)


def build_handlers(db: AsyncDatabase, labor: Labor | None = None) -> EventHandlers:
    labor = labor or build(db)
    projections, batches, grid = labor.projections, labor.batches, labor.grid
    handlers = EventHandlers()

    @handlers.on(CompoundRegistered)
    async def on_compound(event: CompoundRegistered, envelope: Envelope) -> None:
        await grid.compound_registered(event.compound_id, event.community_id, event.checkpoint_id)  # which community a resident's compound is in

    @handlers.on(ResidentReturned)
    async def on_returned(event: ResidentReturned, envelope: Envelope) -> None:
        await projections.resident(event.resident_id, envelope,
                                   {"compound_id": event.compound_id, "household_id": event.household_id})

    @handlers.on(QuarantineStarted)
    async def on_quarantined(event: QuarantineStarted, envelope: Envelope) -> None:
        await projections.resident(event.resident_id, envelope, {
            "compound_id": event.compound_id, "household_id": event.household_id,
            "in_quarantine": True, "quarantine_id": event.quarantine_id})
        await batches.recheck_resident(event.resident_id)  # always: a redelivery after a crash completes it

    @handlers.on(QuarantineEnded)
    async def on_released(event: QuarantineEnded, envelope: Envelope) -> None:
        await projections.resident(event.resident_id, envelope,
                                   {"in_quarantine": False, "quarantine_id": event.quarantine_id})
        await batches.recheck_resident(event.resident_id)

    async def permit_changed(event, envelope: Envelope, fields: dict) -> None:  # noqa: ANN001
        if event.permit_type not in TRACKED_PERMITS:
            return
        await projections.permit(event.permit_id, envelope, {
            "permit_type": event.permit_type, "holder_resident_id": event.holder_resident_id, **fields})
        if event.permit_type == "health_certificate":
            await batches.recheck_resident(event.holder_resident_id)

    @handlers.on(PermitIssued)
    async def on_issued(event: PermitIssued, envelope: Envelope) -> None:
        await permit_changed(event, envelope, {"status": "issued", "valid_from": event.valid_from,
                                               "valid_until": event.valid_until})

    @handlers.on(PermitSuspended)
    async def on_suspended(event: PermitSuspended, envelope: Envelope) -> None:
        await permit_changed(event, envelope, {"status": "suspended"})

    @handlers.on(PermitReinstated)
    async def on_reinstated(event: PermitReinstated, envelope: Envelope) -> None:
        await permit_changed(event, envelope, {"status": "reinstated", "valid_until": event.valid_until})

    @handlers.on(PermitRevoked)
    async def on_revoked(event: PermitRevoked, envelope: Envelope) -> None:
        await permit_changed(event, envelope, {"status": "revoked"})

    @handlers.on(PermitExpired)
    async def on_expired(event: PermitExpired, envelope: Envelope) -> None:
        await permit_changed(event, envelope, {"status": "expired"})

    return handlers


async def sweep_overdue(labor: Labor, interval_s: float, stop: asyncio.Event) -> None:
    """Flag resumption problems past their deadline, and batch workers whose health certificate
    ran out. Idempotent, so replicas may sweep side by side: a collision is retried and the
    loser finds nothing left to flag."""

    async def one_round() -> None:
        if flagged := await labor.resumption.flag_overdue():
            log.info("overdue sweep: %d problem(s) flagged", flagged)
        if expired := await labor.batches.recheck_open_batches():
            log.info("batch sweep: %d worker eligibility change(s) flagged", expired)

    await run_periodically("overdue sweep", one_round, interval_s, stop)


def create_labor_worker(settings: LaborSettings) -> FastStream:
    made: dict[str, Labor] = {}

    def handlers_for(db: AsyncDatabase) -> EventHandlers:
        made["labor"] = build(db)
        return build_handlers(db, made["labor"])

    app = create_worker(service="labor", settings=settings, aggregate_stores=AGGREGATE_STORES,
                        produces=[t for t in TOPICS if t.startswith("labor.")], build_handlers=handlers_for)
    run_beside(app, lambda stop: {
        "labor-overdue-sweep": sweep_overdue(made["labor"], settings.overdue_sweep_interval_s, stop)})
    return app


def main() -> None:
    run_worker(create_labor_worker(load_settings(LaborSettings)))
