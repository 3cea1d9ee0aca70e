"""The registry's worker: relays its outbox to Kafka and runs the periodic checklist job."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.delivery import ReliefParcelDelivered
from towngrid_contracts.envelope import Envelope
from towngrid_contracts.labor import BatchDispatched
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.periodic import run_beside, run_periodically
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from registry.bootstrap import AGGREGATE_STORES, build_duty_service, build_services
from registry.config import RegistrySettings

log = logging.getLogger(__name__)


async def follow_up_job(db: AsyncDatabase, settings: RegistrySettings, stop: asyncio.Event) -> None:
    """Every ``checklist_scan_interval_s``: raise overdue checklist steps, flag missed daily checks
    and care visits (resting longer after a long round: ``towngrid_kit.periodic``).

    Safe to run on several replicas at once: a step is raised by a commit on the resident's
    file, so two replicas raising the same step collide and the loser finds nothing to do.
    """
    residents, _ = await build_services(db, settings)

    async def one_round() -> None:
        raised, flagged, missed = await residents.follow_up_all(datetime.now(UTC))
        if raised or flagged or missed:
            log.info("raised %d overdue checklist steps; flagged %d missed health checks, %d missed visits",
                     raised, flagged, missed)

    await run_periodically("follow-up job", one_round, settings.checklist_scan_interval_s, stop)


async def coverage_job(db: AsyncDatabase, settings: RegistrySettings, stop: asyncio.Event) -> None:
    """Every ``coverage_scan_interval_s``: assess every checkpoint's coverage for the coming days
    (the first round waits one interval: a restarted worker does not re-assess the town at once)."""
    duty = await build_duty_service(db, settings)

    async def one_round() -> None:
        report = await duty.check(None, settings.coverage_days)
        if report["gaps_detected"] or report["gaps_restored"]:
            log.info("coverage: %s", report)

    await run_periodically("coverage job", one_round, settings.coverage_scan_interval_s, stop, wait_first=True)


def build_event_handlers(db: AsyncDatabase, settings: RegistrySettings) -> EventHandlers:
    """What the registry takes from the other services (each effect idempotent per resident)."""
    handlers = EventHandlers()
    services: dict[str, object] = {}

    async def residents():  # noqa: ANN202 - built on first use, inside the worker's event loop
        if "residents" not in services:
            services["residents"], _ = await build_services(db, settings)
        return services["residents"]

    @handlers.on(BatchDispatched)
    async def on_batch_dispatched(event: BatchDispatched, envelope: Envelope) -> None:
        service = await residents()
        for resident_id in event.worker_resident_ids:
            await service.leave_town(resident_id, event.batch_id, event.destination_province, event.departed_at)

    @handlers.on(ReliefParcelDelivered)
    async def on_relief_parcel(event: ReliefParcelDelivered, envelope: Envelope) -> None:
        service = await residents()
        await service.record_relief_parcel(event.resident_id, event.parcel_id, event.items, event.courier_id,
                                           event.delivered_at)

    return handlers


def create_registry_worker(settings: RegistrySettings) -> FastStream:
    databases: list[AsyncDatabase] = []

    def build_handlers(db: AsyncDatabase) -> EventHandlers:
        databases.append(db)
        return build_event_handlers(db, settings)

    app = create_worker(service="registry", settings=settings, aggregate_stores=AGGREGATE_STORES,
                        produces=[t for t in TOPICS if t.startswith("registry.")], build_handlers=build_handlers)
    run_beside(app, lambda stop: {"registry-follow-up-job": follow_up_job(databases[0], settings, stop),
                                  "registry-coverage-job": coverage_job(databases[0], settings, stop)})
    return app


def main() -> None:
    run_worker(create_registry_worker(load_settings(RegistrySettings)))
