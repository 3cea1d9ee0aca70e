"""The delivery worker: keeps its projections of permits, households and the grid (which
community each compound lies in) from the other services' events, and relays its outbox to Kafka."""

from __future__ import annotations

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.envelope import Envelope
from towngrid_contracts.permits import PermitExpired, PermitIssued, PermitReinstated, PermitRevoked, PermitSuspended
from towngrid_contracts.registry import (
    CompoundRegistered,
    QuarantineEnded,
    QuarantineStarted,
    ResidentReturned,
    VulnerableResidentEnrolled,
)
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.grid import GridDirectory
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker

from delivery.adapters.projections import Households, MerchantPermits
from delivery.adapters.relief import ReliefRecipients
from delivery.bootstrap import AGGREGATE_STORES
from delivery.config import DeliverySettings


def build_handlers(db: AsyncDatabase) -> EventHandlers:
    permits, households, recipients = MerchantPermits(db), Households(db), ReliefRecipients(db)
    grid = GridDirectory(db)
    handlers = EventHandlers()

    @handlers.on(CompoundRegistered)
    async def compound_registered(e: CompoundRegistered, env: Envelope) -> None:
        await grid.compound_registered(e.compound_id, e.community_id, e.checkpoint_id)

    @handlers.on(PermitIssued)
    async def issued(e: PermitIssued, env: Envelope) -> None:
        await permits.apply(e, env, {"status": "issued", "valid_from": e.valid_from, "valid_until": e.valid_until})

    @handlers.on(PermitReinstated)
    async def reinstated(e: PermitReinstated, env: Envelope) -> None:
        await permits.apply(e, env, {"status": "issued", "valid_until": e.valid_until})

    @handlers.on(PermitSuspended)
    async def suspended(e: PermitSuspended, env: Envelope) -> None:
        await permits.apply(e, env, {"status": "suspended"})

    @handlers.on(PermitRevoked)
    async def revoked(e: PermitRevoked, env: Envelope) -> None:
        await permits.apply(e, env, {"status": "revoked"})

    @handlers.on(PermitExpired)
    async def expired(e: PermitExpired, env: Envelope) -> None:
        await permits.apply(e, env, {"status": "expired"})

    @handlers.on(ResidentReturned)
    async def returned(e: ResidentReturned, env: Envelope) -> None:
        await households.apply(e.resident_id, env, {"household_id": e.household_id, "compound_id": e.compound_id})

    @handlers.on(VulnerableResidentEnrolled)
    async def enrolled(e: VulnerableResidentEnrolled, env: Envelope) -> None:
        await households.apply(e.resident_id, env, {"household_id": e.household_id, "compound_id": e.compound_id})
        await recipients.enrolled(e.resident_id, env, {
            "household_id": e.household_id, "compound_id": e.compound_id, "category": e.category,
            "relief_every_days": e.relief_every_days, "enrolled_at": e.enrolled_at})

    @handlers.on(QuarantineStarted)
    async def started(e: QuarantineStarted, env: Envelope) -> None:
        await households.apply(e.resident_id, env, {"household_id": e.household_id, "compound_id": e.compound_id,
                                                    "in_quarantine": True, "quarantine_id": e.quarantine_id})

    @handlers.on(QuarantineEnded)
    async def ended(e: QuarantineEnded, env: Envelope) -> None:
        await households.apply(e.resident_id, env, {"in_quarantine": False})

    return handlers


def create_delivery_worker(settings: DeliverySettings) -> FastStream:
    return create_worker(service="delivery", settings=settings, aggregate_stores=AGGREGATE_STORES,
                         produces=[t for t in TOPICS if t.startswith("delivery.")], build_handlers=build_handlers)


def main() -> None:
    run_worker(create_delivery_worker(load_settings(DeliverySettings)))
