"""Who may call each labor endpoint (the role part of issue 8's matrix).

Every operation in the service's OpenAPI document must be listed here; ``test_access_matrix``
checks each role against each endpoint on the running service.
"""

from access_matrix.marks import ANY, GRID, OWN, PUBLIC, TOWN
from towngrid_kit.auth import Role as R

ACCESS = {
    "GET /places": ANY,
    # Only the town registers employers: a liaison's token is issued for an enterprise that exists.
    "POST /employers": {R.TOWN_ADMIN},
    "GET /employers/{enterprise_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /employers": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "POST /demands": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "GET /demands/{demand_id}": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /demands": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON, R.COMMUNITY_OFFICER},
    "GET /demands/{demand_id}/candidates": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    "POST /demands/{demand_id}/matches": {R.TOWN_ADMIN, R.EMPLOYER_LIAISON},
    # Opt-in registration is done with the resident by grid staff; an enterprise's liaison could
    # otherwise enrol any resident and read their eligibility (quarantine status).
    "POST /job-seekers": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
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

# How scope limits each endpoint (checked with real data by tests/e2e/test_labor_scope.py).
# OWN: an employer liaison's token (org claim) reaches its own enterprise only: the employer, its
# demands, candidates and matches, its batches, its resumption case; lists are filtered.
# GRID: a resident's job seeking, eligibility and place in a batch lie in the resident's compound
# (community from the registry's grid events): a community officer sees only its residents (a
# batch only if it carries one, with only those shown); a liaison only the seekers matched to it.
SCOPE = {
    "GET /places": TOWN,
    "POST /employers": TOWN,
    "GET /employers/{enterprise_id}": OWN,
    "GET /employers": OWN,
    "POST /demands": OWN,
    "GET /demands/{demand_id}": OWN,
    "GET /demands": OWN,
    "GET /demands/{demand_id}/candidates": OWN,
    "POST /demands/{demand_id}/matches": OWN,
    "POST /job-seekers": GRID,
    "GET /job-seekers/{job_seeker_id}": GRID,
    "GET /job-seekers": GRID,
    "POST /job-seekers/{job_seeker_id}/local-placement": OWN,
    "GET /eligibility/{resident_id}": GRID,
    "POST /batches": OWN,
    "GET /batches/{batch_id}": GRID,
    "GET /batches": GRID,
    "POST /batches/{batch_id}/workers": OWN,
    "POST /batches/{batch_id}/boarding": GRID,
    "POST /batches/{batch_id}/dispatch": OWN,
    "POST /batches/{batch_id}/arrival": OWN,
    "POST /resumption-cases": OWN,
    "GET /resumption-cases/{case_id}": OWN,
    "GET /resumption-cases": OWN,
    "POST /resumption-cases/{case_id}/problems": OWN,
    "POST /resumption-cases/{case_id}/problems/{issue_id}/actions": OWN,
    "POST /resumption-cases/{case_id}/problems/{issue_id}/resolve": OWN,
    "POST /resumption-cases/{case_id}/resume": OWN,
    "GET /figures": TOWN,  # aggregate counts, no personal data
}
