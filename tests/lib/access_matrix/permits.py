"""Who may call each permits endpoint, and how scope limits it (see the package's docstring)."""

from access_matrix.marks import ADMIN, ADMIN_OR_REVIEWER, ANY, DEPARTMENT, FIGURE_READERS, GRID, PUBLIC, STAFF, STAFF_OR_REVIEWER, TOWN

ACCESS = {
    "POST /applications": STAFF,
    "POST /online-applications": PUBLIC,
    "GET /applications/{permit_id}/status": PUBLIC,
    "GET /applications/{permit_id}": STAFF_OR_REVIEWER,
    "GET /applications": STAFF_OR_REVIEWER,
    "POST /applications/{permit_id}/reviews/{department}": ADMIN_OR_REVIEWER,
    "POST /applications/{permit_id}/checklist": STAFF,
    "GET /quarantine-status/{resident_id}": STAFF_OR_REVIEWER,
    "GET /quarantine-status": STAFF_OR_REVIEWER,
    "POST /permits/{permit_id}/revoke": ADMIN,
    "GET /checkpoints/{checkpoint_id}/qr-code": ADMIN,
    "GET /review-policies": STAFF_OR_REVIEWER,
    "PUT /review-policies/{permit_type}": ADMIN,
    "GET /figures": FIGURE_READERS,
    "POST /verify": PUBLIC,
    "GET /verification-key": PUBLIC,
    # Accountable decisions and appeals (reviewed by a town admin other than the decider and the filer).
    "POST /permits/{permit_id}/suspend": ADMIN,
    "POST /permits/{permit_id}/lift-suspension": ADMIN,
    "POST /appeals": STAFF,
    "GET /appeals/{appeal_id}": STAFF,
    "POST /appeals/{appeal_id}/decision": ADMIN,
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
