"""The registry's worker: relays its outbox to Kafka and runs the periodic checklist job."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.mongo import UNAVAILABLE_ERRORS
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from registry.bootstrap import AGGREGATE_STORES, build_services
from registry.config import RegistrySettings

log = logging.getLogger(__name__)


async def checklist_job(db: AsyncDatabase, settings: RegistrySettings, stop: asyncio.Event) -> None:
    """Every ``checklist_scan_interval_s``: raise the overdue steps that have fallen due.

    Safe to run on several replicas at once: a step is raised by a commit on the resident's
    file, so two replicas raising the same step collide and the loser finds nothing to do.
    """
    residents, _ = await build_services(db, settings)
    while not stop.is_set():
        try:
            raised = await residents.raise_all_overdue(datetime.now(UTC))
            if raised:
                log.info("raised %d overdue checklist steps", raised)
        except UNAVAILABLE_ERRORS as error:
            log.warning("checklist job: database unavailable (%s)", error)
        except Exception:  # noqa: BLE001 - the job must keep running; the next round retries
            log.exception("checklist job failed; retrying next round")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.checklist_scan_interval_s)
        except TimeoutError:
            pass


def create_registry_worker(settings: RegistrySettings) -> FastStream:
    databases: list[AsyncDatabase] = []

    def build_handlers(db: AsyncDatabase) -> EventHandlers:
        databases.append(db)
        return EventHandlers()

    app = create_worker(service="registry", settings=settings, aggregate_stores=AGGREGATE_STORES,
                        produces=[t for t in TOPICS if t.startswith("registry.")], build_handlers=build_handlers)
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []

    @app.after_startup
    async def start_jobs() -> None:
        tasks.append(asyncio.create_task(checklist_job(databases[0], settings, stop), name="registry-checklist-job"))

    @app.on_shutdown
    async def stop_jobs() -> None:
        stop.set()
        for task in tasks:
            await task

    return app


def main() -> None:
    run_worker(create_registry_worker(load_settings(RegistrySettings)))
