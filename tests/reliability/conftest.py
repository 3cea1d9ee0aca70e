"""The fault scenarios' own stack: Kafka, FerretDB and the four services on ports of their own
(the e2e ports + 50), so that stopping the broker or the database here never touches the stack
the other test files share. Always the local stack (processes): the faults are process faults.
Each scenario gets a fresh one (about 15 s to start): a scenario's figures and faults do not
depend on the ones before it (the data they left, a process one of them replaced).

At the end of the run the scenarios' report is printed as a table (and written as JSON to
``<repo>/.towngrid/reliability-report.json``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from e2e_support import System
from reliability_kit import report, scenario
from towngrid_devstack import LocalStack, StackConfig
from towngrid_devstack.config import repo_root

SHIFT = int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0")) + 50
SERVICE_PORT_OFFSET = 10000 + SHIFT  # registry 18051, permits 18052, ...
PROFILE = f"reliability-{SHIFT}"
SERVICE_ENV = scenario.STACK_ENV


@pytest.fixture(scope="session", autouse=True)
def fresh_report() -> None:
    report.PROGRESS.unlink(missing_ok=True)  # the rows of an earlier run


@pytest.fixture
def reliability_stack() -> Iterator[LocalStack]:
    config = StackConfig(profile=PROFILE, kafka_port=19092 + SHIFT, mongo_port=27018 + SHIFT, reset=True)
    stack = LocalStack(config)
    stack.setup()
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def reliability_system(reliability_stack: LocalStack) -> Iterator[System]:
    with System.started(reliability_stack.config, SERVICE_PORT_OFFSET, SERVICE_ENV) as running:
        yield running


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001, ARG001
    if not report.ROWS:
        return
    terminalreporter.section("reliability: fault scenarios")
    terminalreporter.write_line(report.table(report.ROWS))
    terminalreporter.write_line("")
    terminalreporter.write_line(report.details(report.ROWS))
    path = repo_root() / ".towngrid" / "reliability-report.json"
    report.write_json(report.ROWS, path)
    terminalreporter.write_line(f"(written to {path})")
