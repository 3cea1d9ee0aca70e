"""The delivery worker: creates its topics and relays its outbox (no consumers yet)."""

from __future__ import annotations

from faststream import FastStream

from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from delivery.config import DeliverySettings


def create_delivery_worker(settings: DeliverySettings) -> FastStream:
    return create_worker(service="delivery", settings=settings, aggregate_stores=[],
                         produces=[t for t in TOPICS if t.startswith("delivery.")])


def main() -> None:
    run_worker(create_delivery_worker(load_settings(DeliverySettings)))
