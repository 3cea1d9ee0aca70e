"""The registry's worker: relays its outbox to Kafka (it consumes nothing yet)."""

from __future__ import annotations

from faststream import FastStream

from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from registry.bootstrap import AGGREGATE_STORES
from registry.config import RegistrySettings


def create_registry_worker(settings: RegistrySettings) -> FastStream:
    return create_worker(service="registry", settings=settings, aggregate_stores=AGGREGATE_STORES,
                         produces=[t for t in TOPICS if t.startswith("registry.")])


def main() -> None:
    run_worker(create_registry_worker(load_settings(RegistrySettings)))
