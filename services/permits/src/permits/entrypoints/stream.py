"""The permits worker: follows the registry's residents (where each lives), quarantines (roster,
suspension, reinstatement) and grid (which community each compound belongs to), runs the clock (overdue review steps, expiry), and relays its outbox."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Coroutine
from typing import Any

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.envelope import Envelope
from towngrid_contracts.registry import CompoundRegistered, QuarantineEnded, QuarantineStarted, ResidentReturned
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.lease import Lease
from towngrid_kit.periodic import run_beside, run_periodically
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from towngrid_kit.grid import GridDirectory
from permits.adapters.quarantine_roster import QuarantineRoster
from permits.adapters.repository import PermitRepository, PolicyStore
from permits.adapters.resident_places import ResidentPlaces
from permits.bootstrap import AGGREGATE_STORES, build_signer
from permits.config import PermitsSettings
from permits.service.permits import PermitService

log = logging.getLogger(__name__)


def build_service(db: AsyncDatabase, settings: PermitsSettings) -> PermitService:
    return PermitService(PermitRepository(db), PolicyStore(db), QuarantineRoster(db), build_signer(settings))


def build_handlers(db: AsyncDatabase, permits: PermitService) -> EventHandlers:
    roster = QuarantineRoster(db)
    places = ResidentPlaces(db)
    handlers = EventHandlers()

    @handlers.on(ResidentReturned)
    async def on_returned(event: ResidentReturned, envelope: Envelope) -> None:
        # Where the resident lives: the place of the applications they hold (see scope.place); and the
        # hash of the key on their registration slip, which an online application proves the holder with.
        await places.placed(event.resident_id, event.compound_id, envelope, event.holder_key_sha256)

    @handlers.on(QuarantineStarted)
    async def on_started(event: QuarantineStarted, envelope: Envelope) -> None:
        await places.placed(event.resident_id, event.compound_id, envelope)
        # The roster first: from then on no application of this resident is issued (see decide).
        await roster.started(event, envelope)
        current = await roster.get(event.resident_id)
        if current and current.get("quarantine_id") == event.quarantine_id and current.get("in_quarantine"):
            # The suspension is the service's own (``system``); it records the quarantine decision it follows.
            cause = {"decided_by": event.decided_by, "reason_code": event.reason_code, "event_id": str(envelope.event_id)}
            await permits.quarantine_started(event.resident_id, event.quarantine_id,
                                             {k: v for k, v in cause.items() if v is not None})

    @handlers.on(QuarantineEnded)
    async def on_ended(event: QuarantineEnded, envelope: Envelope) -> None:
        await roster.ended(event, envelope)
        cause = {"decided_by": event.decided_by, "reason_code": event.reason_code, "appeal_id": event.appeal_id,
                 "event_id": str(envelope.event_id)}
        await permits.quarantine_ended(event.resident_id, event.quarantine_id,
                                       {k: v for k, v in cause.items() if v is not None})

    grid = GridDirectory(db)

    @handlers.on(CompoundRegistered)
    async def on_compound(event: CompoundRegistered, envelope: Envelope) -> None:
        # Which community a compound belongs to: the grid scope of applications and the roster.
        await grid.compound_registered(event.compound_id, event.community_id, event.checkpoint_id)

    return handlers


async def run_clock(permits: PermitService, lease: Lease, interval_s: float, stop: asyncio.Event) -> None:
    """Escalate overdue review steps and expire permits on time (one replica at a time)."""

    async def one_round() -> None:
        if await lease.acquire():
            overdue = await permits.escalate_overdue()
            expired = await permits.expire_due()
            if overdue or expired:
                log.info("clock: %d overdue applications escalated, %d permits expired", overdue, expired)

    await run_periodically("clock", one_round, interval_s, stop)
    try:
        await lease.release()
    except Exception:  # noqa: BLE001 - shutting down; the lease runs out by itself
        log.info("clock: lease not released (it expires by itself)")


def create_permits_worker(settings: PermitsSettings) -> FastStream:
    made: dict[str, object] = {}

    def handlers_for(db: AsyncDatabase) -> EventHandlers:
        made["db"] = db
        made["permits"] = build_service(db, settings)
        return build_handlers(db, made["permits"])  # type: ignore[arg-type]

    app = create_worker(service="permits", settings=settings, aggregate_stores=AGGREGATE_STORES,
                        produces=[t for t in TOPICS if t.startswith("permits.")], build_handlers=handlers_for)
    def clock(stop: asyncio.Event) -> dict[str, Coroutine[Any, Any, None]]:
        db: AsyncDatabase = made["db"]  # type: ignore[assignment]
        lease = Lease(db["clock_lease"], "permits-clock", f"{socket.gethostname()}:{os.getpid()}")
        return {"permits-clock": run_clock(made["permits"], lease, settings.clock_interval_s, stop)}  # type: ignore[arg-type]

    run_beside(app, clock)
    return app


def main() -> None:
    run_worker(create_permits_worker(load_settings(PermitsSettings)))
