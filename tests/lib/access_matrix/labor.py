"""Who may call each labor endpoint (the role part of issue 8's matrix).

Every operation in the service's OpenAPI document must be listed here; ``test_access_matrix``
checks each role against each endpoint on the running service.
"""

from access_matrix.marks import ANY, PUBLIC
from towngrid_kit.auth import Role as R

ACCESS = {
    "GET /places": ANY,
    "POST /employers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /employers/{enterprise_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /employers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /demands": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /demands/{demand_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /demands": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /demands/{demand_id}/candidates": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /demands/{demand_id}/matches": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /job-seekers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /job-seekers/{job_seeker_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /job-seekers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /job-seekers/{job_seeker_id}/local-placement": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /eligibility/{resident_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /batches": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /batches/{batch_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /batches": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /batches/{batch_id}/workers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /batches/{batch_id}/boarding": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /batches/{batch_id}/dispatch": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /batches/{batch_id}/arrival": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /resumption-cases": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /resumption-cases/{case_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /resumption-cases": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /resumption-cases/{case_id}/problems": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /resumption-cases/{case_id}/problems/{issue_id}/actions": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /resumption-cases/{case_id}/problems/{issue_id}/resolve": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /resumption-cases/{case_id}/resume": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /figures": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER, R.COUNTY_SUBSCRIBER},
}
