"""Who may call each labor endpoint, and how scope limits it (see the package's docstring)."""

from access_matrix.marks import ADMIN, ADMIN_OR_LIAISON, ANY, FIGURE_READERS, GRID, LIAISON_OR_STAFF, OWN, PUBLIC, STAFF, TOWN
from towngrid_kit.auth import Role as R

ACCESS = {
    "GET /places": ANY,
    # Only the town registers employers: a liaison's token is issued for an enterprise that exists.
    "POST /employers": ADMIN,
    "GET /employers/{enterprise_id}": LIAISON_OR_STAFF,
    "GET /employers": LIAISON_OR_STAFF,
    "POST /demands": ADMIN_OR_LIAISON,
    "GET /demands/{demand_id}": LIAISON_OR_STAFF,
    "GET /demands": LIAISON_OR_STAFF,
    "GET /demands/{demand_id}/candidates": ADMIN_OR_LIAISON,
    "POST /demands/{demand_id}/matches": ADMIN_OR_LIAISON,
    # Opt-in registration is done with the resident by grid staff; an enterprise's liaison could
    # otherwise enrol any resident and read their eligibility (quarantine status).
    "POST /job-seekers": STAFF,
    "GET /job-seekers/{job_seeker_id}": LIAISON_OR_STAFF,
    "GET /job-seekers": LIAISON_OR_STAFF,
    "POST /job-seekers/{job_seeker_id}/local-placement": ADMIN_OR_LIAISON,
    "GET /eligibility/{resident_id}": LIAISON_OR_STAFF,
    "POST /batches": ADMIN_OR_LIAISON,
    "GET /batches/{batch_id}": LIAISON_OR_STAFF,
    "GET /batches": LIAISON_OR_STAFF,
    "POST /batches/{batch_id}/workers": ADMIN_OR_LIAISON,
    "POST /batches/{batch_id}/boarding": LIAISON_OR_STAFF,
    "POST /batches/{batch_id}/dispatch": ADMIN_OR_LIAISON,
    "POST /batches/{batch_id}/arrival": ADMIN_OR_LIAISON,
    "POST /resumption-cases": ADMIN_OR_LIAISON,
    "GET /resumption-cases/{case_id}": LIAISON_OR_STAFF,
    "GET /resumption-cases": LIAISON_OR_STAFF,
    "POST /resumption-cases/{case_id}/problems": ADMIN_OR_LIAISON,
    "POST /resumption-cases/{case_id}/problems/{issue_id}/actions": ADMIN_OR_LIAISON,
    "POST /resumption-cases/{case_id}/problems/{issue_id}/resolve": ADMIN_OR_LIAISON,
    "POST /resumption-cases/{case_id}/resume": ADMIN_OR_LIAISON,
    "GET /figures": FIGURE_READERS | {R.EMPLOYER_LIAISON},
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
