"""The real local stack for the whole test session: Kafka, FerretDB and the four services.

Tests run on their own profile ("test") and ports, with fresh data each session, so a
``make run`` on the default ports can stay up meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from e2e_support import System
from towngrid_devstack import LocalStack, StackConfig
from towngrid_devstack.services import SERVICES, LocalSecrets, service_processes

TEST_PORTS = {"kafka": 19092, "mongo": 27018}
TEST_SERVICE_PORT_OFFSET = 10000  # registry 18001, permits 18002, ...


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    config = StackConfig(profile="test", kafka_port=TEST_PORTS["kafka"], mongo_port=TEST_PORTS["mongo"], reset=True)
    local = LocalStack(config)
    local.setup()
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def system(stack: LocalStack) -> Iterator[System]:
    secrets = LocalSecrets.for_profile(stack.config)
    running = System(config=stack.config, secrets=secrets)
    for name, port in SERVICES.items():
        running.services[name] = service_processes(name, stack.config, secrets, port=port + TEST_SERVICE_PORT_OFFSET)
    processes = [p for s in running.services.values() for p in (s.api, s.worker)]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready(timeout=90)
        yield running
    finally:
        for process in processes:
            process.stop()
