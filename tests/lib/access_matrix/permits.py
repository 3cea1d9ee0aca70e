"""Who may call each permits endpoint (the role part of issue 8's matrix).

Every operation in the service's OpenAPI document must be listed here; ``test_access_matrix``
checks each role against each endpoint on the running service.
"""

from access_matrix.marks import ANY, PUBLIC
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
}
