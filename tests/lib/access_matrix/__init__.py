"""The role-by-endpoint matrix of issue 8, one module per service.

Every operation in a service's OpenAPI document must be listed in its module. In each module,
``ACCESS`` maps ``"<METHOD> <path>"`` to the roles that may call it, ``ANY``
(any valid staff token) or ``PUBLIC`` (no token); ``SCOPE`` says for every staff endpoint how
the token's scope limits it (``GRID``, ``OWN``, ``DEPARTMENT`` or ``TOWN``, see ``marks``).
Roles are probed generically by ``tests/e2e/test_access_matrix.py``; scope depends on where the
thing lies, so each service's ``test_<service>_scope.py`` checks every scoped endpoint with real
data, inside and outside the caller's scope.
"""

from access_matrix import board, delivery, labor, permits, registry
from access_matrix.marks import PUBLIC

# Every api has these from the kit: probes for the orchestrator and Prometheus (no personal data).
OPERATIONAL = {"GET /healthz": PUBLIC, "GET /readyz": PUBLIC, "GET /metrics": PUBLIC}

MATRIX = {
    "registry": registry.ACCESS | OPERATIONAL,
    "permits": permits.ACCESS | OPERATIONAL,
    "delivery": delivery.ACCESS | OPERATIONAL,
    "labor": labor.ACCESS | OPERATIONAL,
    "board": board.ACCESS | OPERATIONAL,
}

SCOPES = {
    "registry": getattr(registry, "SCOPE", {}),
    "permits": getattr(permits, "SCOPE", {}),
    "delivery": getattr(delivery, "SCOPE", {}),
    "labor": getattr(labor, "SCOPE", {}),
    "board": getattr(board, "SCOPE", {}),
}
