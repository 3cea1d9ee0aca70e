"""Issue 8's role-by-endpoint matrix, checked on the running services.

Every operation of every service's OpenAPI document is in ``access_matrix``; for each one,
no token gives 401 (unless public) and every role gets 403 exactly when the matrix leaves it
out. Probes use an id that does not exist and a body that does not validate, so a role that is
let in gets a 404 or 422 and changes nothing. Scope (community/compound) is tested per service
with real data.
"""

from __future__ import annotations

import re

import pytest

from access_matrix import MATRIX, SCOPES
from access_matrix.marks import DEPARTMENT, GRID, OWN, PUBLIC, TOWN
from e2e_support import System
from towngrid_kit.auth import Role

pytestmark = pytest.mark.stack

PROBE_ID = "matrix-probe-0"


def probe_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", PROBE_ID, path)


async def operations(system: System, service: str) -> set[str]:
    async with system.client(service, role=None) as client:
        document = (await client.get("/openapi.json")).json()
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
            if method in {"get", "post", "put", "patch", "delete"}}


@pytest.mark.parametrize("service", sorted(MATRIX))
async def test_every_endpoint_is_in_the_matrix(system: System, service: str) -> None:
    found = await operations(system, service)
    assert found - set(MATRIX[service]) == set(), "endpoints nobody decided access for"
    assert set(MATRIX[service]) - found == set(), "matrix rows for endpoints that do not exist"


@pytest.mark.parametrize("service", sorted(MATRIX))
def test_every_staff_endpoint_says_how_scope_limits_it(service: str) -> None:
    staff = {op for op, allowed in MATRIX[service].items() if allowed is not PUBLIC}
    assert staff - set(SCOPES[service]) == set(), "staff endpoints with no scope rule"
    assert set(SCOPES[service]) - staff == set(), "scope rules for endpoints that are not staff endpoints"
    assert set(SCOPES[service].values()) <= {GRID, OWN, DEPARTMENT, TOWN}


@pytest.mark.parametrize("service", sorted(MATRIX))
async def test_each_role_gets_what_the_matrix_says(system: System, service: str) -> None:
    wrong: list[str] = []
    for operation, allowed in MATRIX[service].items():
        method, path = operation.split(" ", 1)
        url = probe_path(path)
        body = [] if method != "GET" else None  # never a valid body: a role let in cannot change anything
        async with system.client(service, role=None) as anonymous:
            status = (await anonymous.request(method, url, json=body)).status_code
        if allowed is not PUBLIC and status != 401:
            wrong.append(f"{operation} without a token: {status}, expected 401")
        if allowed is PUBLIC:
            continue
        for role in Role:
            department = "health" if role is Role.PERMIT_REVIEWER else None
            async with system.client(service, role=role, department=department) as client, \
                    client.stream(method, url, json=body) as response:  # the status only: a stream never ends
                status = response.status_code
            if role in allowed and status in (401, 403):
                wrong.append(f"{operation} as {role.value}: {status}, expected to be let in")
            if role not in allowed and status != 403:
                wrong.append(f"{operation} as {role.value}: {status}, expected 403")
    assert wrong == []
