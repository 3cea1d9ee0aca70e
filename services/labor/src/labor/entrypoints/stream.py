"""The labor worker: creates its topics and relays its outbox (no consumers yet)."""

from __future__ import annotations

from faststream import FastStream

from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from labor.config import LaborSettings


def create_labor_worker(settings: LaborSettings) -> FastStream:
    return create_worker(service="labor", settings=settings, aggregate_stores=[],
                         produces=[t for t in TOPICS if t.startswith("labor.")])


def main() -> None:
    run_worker(create_labor_worker(load_settings(LaborSettings)))
