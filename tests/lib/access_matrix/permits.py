"""Who may call each permits endpoint (the role part of issue 8's matrix).

Every operation in the service's OpenAPI document must be listed here; ``test_access_matrix``
checks each role against each endpoint on the running service.
"""

from access_matrix.marks import ANY, DEPARTMENT, GRID, PUBLIC, TOWN
from towngrid_kit.auth import Role as R

ACCESS = {
    "POST /applications": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "POST /online-applications": PUBLIC,
    "GET /applications/{permit_id}/status": PUBLIC,
    "GET /applications/{permit_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.PERMIT_REVIEWER},
    "GET /applications": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.PERMIT_REVIEWER},
    "POST /applications/{permit_id}/reviews/{department}": {R.PERMIT_REVIEWER, R.TOWN_ADMIN},
    "POST /applications/{permit_id}/checklist": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /quarantine-status/{resident_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.PERMIT_REVIEWER},
    "GET /quarantine-status": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.PERMIT_REVIEWER},
    "POST /permits/{permit_id}/revoke": {R.TOWN_ADMIN},
    "GET /checkpoints/{checkpoint_id}/qr-code": {R.TOWN_ADMIN},
    "GET /review-policies": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.PERMIT_REVIEWER},
    "PUT /review-policies/{permit_type}": {R.TOWN_ADMIN},
    "GET /figures": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COUNTY_SUBSCRIBER},
    "POST /verify": PUBLIC,
    "GET /verification-key": PUBLIC,
    # Accountable decisions and appeals (reviewed by a town admin other than the decider and the filer).
    "POST /permits/{permit_id}/suspend": {R.TOWN_ADMIN},
    "POST /permits/{permit_id}/lift-suspension": {R.TOWN_ADMIN},
    "POST /appeals": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /appeals/{appeal_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "POST /appeals/{appeal_id}/decision": {R.TOWN_ADMIN},
    "POST /holder-appeals": PUBLIC,
}

# How scope limits each staff endpoint (checked with real data by tests/e2e/test_permits_scope.py).
# An application belongs to the applicant's compound and community; a reviewer's token names a
# department. DEPARTMENT endpoints also apply the grid scope (a reviewer's token is usually town-wide).
SCOPE = {
    "POST /applications": GRID,
    "GET /applications/{permit_id}": DEPARTMENT,
    "GET /applications": DEPARTMENT,
    "POST /applications/{permit_id}/reviews/{department}": DEPARTMENT,
    "POST /applications/{permit_id}/checklist": GRID,
    "GET /quarantine-status/{resident_id}": GRID,
    "GET /quarantine-status": GRID,
    "POST /permits/{permit_id}/revoke": GRID,
    "GET /checkpoints/{checkpoint_id}/qr-code": TOWN,
    "GET /review-policies": TOWN,
    "PUT /review-policies/{permit_type}": TOWN,
    "GET /figures": TOWN,
    "POST /permits/{permit_id}/suspend": GRID,
    "POST /permits/{permit_id}/lift-suspension": GRID,
    "POST /appeals": GRID,
    "GET /appeals/{appeal_id}": GRID,
    "POST /appeals/{appeal_id}/decision": GRID,
}
