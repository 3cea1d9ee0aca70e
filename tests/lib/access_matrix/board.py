"""Who may call each board endpoint (issue 17): board viewers and the town's admin read counts;
the session cookie is opened with a viewer's token (checked by the route) and closed by anyone."""

from access_matrix.marks import GRID, PUBLIC
from towngrid_kit.auth import Role as R

VIEWERS = {R.TOWN_ADMIN, R.BOARD_VIEWER}

ACCESS = {
    "GET /api/figures": VIEWERS,
    "GET /api/stream": VIEWERS,
    "POST /api/session": PUBLIC,  # the body's token is verified, and must be a viewer's
    "DELETE /api/session": PUBLIC,
}

# GRID: a viewer scoped to a community (its secretary) or a compound sees that place only
# (checked with real data by tests/e2e/test_board.py).
SCOPE = {
    "GET /api/figures": GRID,
    "GET /api/stream": GRID,
}
