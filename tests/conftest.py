"""The real stack for the whole test session: Kafka, a MongoDB-wire database and the four
services. Kafka and FerretDB run as local processes, or Kafka and MongoDB as containers where
a Docker engine answers (TOWNGRID_TEST_STACK=auto|local|containers, see stack_choice.py).

Tests run on their own profile ("test") and ports, with fresh data each session, so a
``make run`` on the default ports can stay up meanwhile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from e2e_support import System
from stack_choice import ContainerStack, chosen_backend, make_stack
from towngrid_devstack import LocalStack, StackConfig

# Tests use their own profile and ports; TOWNGRID_TEST_PORT_SHIFT moves them all (so that
# several test runs can share a machine): Kafka 19092+shift, FerretDB 27018+shift,
# services 18001+shift...
PORT_SHIFT = int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0"))
TEST_PORTS = {"kafka": 19092 + PORT_SHIFT, "mongo": 27018 + PORT_SHIFT}
TEST_SERVICE_PORT_OFFSET = 10000 + PORT_SHIFT  # registry 18001, permits 18002, ...
TEST_PROFILE = "test" if PORT_SHIFT == 0 else f"test-{PORT_SHIFT}"


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack | ContainerStack]:
    config = StackConfig(profile=TEST_PROFILE, kafka_port=TEST_PORTS["kafka"], mongo_port=TEST_PORTS["mongo"],
                         reset=True)
    local = make_stack(config, chosen_backend())
    local.setup()
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def system(stack: LocalStack | ContainerStack) -> Iterator[System]:
    with System.started(stack.config, TEST_SERVICE_PORT_OFFSET) as running:
        yield running
