"""The permits worker: keeps the quarantine roster from the registry's events; relays its outbox."""

from __future__ import annotations

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.envelope import Envelope
from towngrid_contracts.registry import QuarantineEnded, QuarantineStarted
from towngrid_kit.consumer import EventHandlers
from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from permits.adapters.quarantine_roster import QuarantineRoster
from permits.config import PermitsSettings

AGGREGATE_STORES: list[str] = []


def build_handlers(db: AsyncDatabase) -> EventHandlers:
    roster = QuarantineRoster(db)
    handlers = EventHandlers()

    @handlers.on(QuarantineStarted)
    async def on_started(event: QuarantineStarted, envelope: Envelope) -> None:
        await roster.started(event, envelope)

    @handlers.on(QuarantineEnded)
    async def on_ended(event: QuarantineEnded, envelope: Envelope) -> None:
        await roster.ended(event, envelope)

    return handlers


def create_permits_worker(settings: PermitsSettings) -> FastStream:
    return create_worker(service="permits", settings=settings, aggregate_stores=AGGREGATE_STORES,
                         produces=[t for t in TOPICS if t.startswith("permits.")],
                         build_handlers=build_handlers)


def main() -> None:
    run_worker(create_permits_worker(load_settings(PermitsSettings)))
