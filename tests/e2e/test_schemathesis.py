"""Schemathesis against every service's OpenAPI document, on the running stack.

For each service the document is read from the running api (so endpoints added later are
covered without touching this file); every operation gets a few generated requests, valid and
invalid ones, sent with a town admin token; then every operation with ids in its path gets valid
requests again with ids that exist (read from the list operations, after the first pass created
entities), so that it is tested past "not found". Each answer must

- not be a server error (5xx),
- have a status code the document declares for the operation,
- have the declared content type, and a body that matches the declared schema.

Error answers (401/403/404/409/413/415/422/429/503) are declared once for every route by the
kit (``towngrid_kit.problems.error_responses``), so a 429 from the public endpoints' rate
limiter is an acceptable, documented answer.

``TOWNGRID_SCHEMATHESIS_EXAMPLES`` sets the examples per operation and mode (default 8: about
2,300 requests in 1.5 minutes on this 2-core machine; 5 examples took 3 to 3.5 minutes while
the machine was loaded ~15x by other runs). The figures (operations, requests, seconds)
are printed at the end of the module.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from e2e_support import System

pytestmark = pytest.mark.stack

SERVICES = ("registry", "permits", "delivery", "labor")
EXAMPLES = int(os.environ.get("TOWNGRID_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

FIGURES: Counter[str] = Counter()
OPERATIONS: dict[str, int] = {}
SLOWEST: Counter[str] = Counter()  # the slowest request of each operation, seconds
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def admin_session(system: System) -> Iterator[requests.Session]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {system.token()}"
    yield session
    session.close()


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest, system: System) -> Iterator[None]:  # after the stack is up
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    by_service = ", ".join(f"{s} {n} ops/{FIGURES[s]} requests" for s, n in OPERATIONS.items())
    line = (f"schemathesis: {sum(OPERATIONS.values())} operations, {FIGURES['total']} requests, "
            f"{FIGURES['5xx']} server errors, {FIGURES['failed_operations']} failing operation/mode pairs, "
            f"{FIGURES['with_known_ids']} operations also run with ids that exist, "
            f"{elapsed:.0f} s, {EXAMPLES} examples per operation and mode ({by_service})")
    slowest = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in SLOWEST.most_common(5))
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)
            reporter.write_line(f"schemathesis: slowest requests: {slowest}")


NOT_GENERATED = {"authorization", "content-length", "transfer-encoding", "host", "connection"}


def exercise(operation: APIOperation, mode: GenerationMode, service: str, url: str,
             session: requests.Session, path_parameters: dict[str, str] | None = None) -> str | None:
    """Send generated requests to one operation (with ``path_parameters`` fixed, if given); the
    first failing check's report, or None."""

    @SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: schemathesis.Case) -> None:
        started = time.monotonic()
        FIGURES["total"] += 1
        FIGURES[service] += 1
        # The session's admin token is the one sent (a generated Authorization header would only test 401s);
        # generated framing headers (a `content-length: )`) make the request invalid HTTP, which uvicorn
        # refuses in text/plain before any application code: not the API's answer to check.
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in NOT_GENERATED}
        response = case.call(base_url=url, session=session, timeout=30)
        if response.status_code >= 500:
            FIGURES["5xx"] += 1
        SLOWEST[operation.label] = max(SLOWEST[operation.label], time.monotonic() - started)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            return None  # nothing to get wrong: the operation takes no parameters and no body
        raise
    except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - schemathesis' FailureGroup is a BaseExceptionGroup
        FIGURES["failed_operations"] += 1
        known = f", ids {path_parameters}" if path_parameters else ""
        return f"{operation.label} ({mode.value}{known}): {type(failure).__name__}: {str(failure)[:1500]}"
    return None


def known_ids(session: requests.Session, url: str, schema: schemathesis.schemas.BaseSchema) -> dict[str, str]:
    """An id of each kind (``resident_id``, ``permit_id``...) that exists: read from the first page
    of every list operation, after the generated requests created some entities."""
    found: dict[str, str] = {}

    def collect(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_id") and isinstance(item, str) and item:
                    found.setdefault(key, item)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for path, item in schema.raw_schema["paths"].items():
        if "{" not in path and "get" in item:
            response = session.get(f"{url}{path}", timeout=30)
            if response.status_code == 200 and response.headers.get("content-type", "").startswith("application/json"):
                collect(response.json())
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_api_conforms_to_its_document(system: System, service: str, admin_session: requests.Session) -> None:
    url = system.services[service].url
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    operations = 0
    all_operations = [result.ok() for result in schema.get_all_operations()]
    for operation in all_operations:
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = exercise(operation, mode, service, url, admin_session)
            if failure:
                failures.append(failure)
    # Random path ids mostly reach only "not found": now the same with ids that exist.
    ids = known_ids(admin_session, url, schema)
    for operation in all_operations:
        names = re.findall(r"\{([^}]+)\}", operation.path)
        if names and all(name in ids for name in names):
            FIGURES["with_known_ids"] += 1
            failure = exercise(operation, GenerationMode.POSITIVE, service, url, admin_session,
                               {name: ids[name] for name in names})
            if failure:
                failures.append(failure)
    OPERATIONS[service] = operations
    assert operations > 0
    assert failures == [], "\n\n".join(failures)
