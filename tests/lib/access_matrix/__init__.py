"""The role-by-endpoint matrix of issue 8, one module per service.

An entry maps ``"<METHOD> <path>"`` to the roles that may call it, ``ANY`` (any valid staff
token) or ``PUBLIC`` (no token). Grid scope (community/compound) is checked by each service's
scope tests with real data, since it depends on where the thing lies.
"""

from access_matrix import delivery, labor, permits, registry
from access_matrix.marks import PUBLIC

# Every api has these from the kit: probes for the orchestrator and Prometheus (no personal data).
OPERATIONAL = {"GET /healthz": PUBLIC, "GET /readyz": PUBLIC, "GET /metrics": PUBLIC}

MATRIX = {
    "registry": registry.ACCESS | OPERATIONAL,
    "permits": permits.ACCESS | OPERATIONAL,
    "delivery": delivery.ACCESS | OPERATIONAL,
    "labor": labor.ACCESS | OPERATIONAL,
}
