"""Who may call each delivery endpoint, and how scope limits it (see the package's docstring)."""

from access_matrix.marks import (ANY, CHECKERS, CHECKERS_OR_SHOP, FIGURE_READERS, GRID, OWN, PUBLIC, STAFF,
                                 STAFF_OR_SHOP, TOWN)

ACCESS = {
    "POST /relief-stock/receipts": STAFF,
    "GET /relief-stock": CHECKERS,
    "GET /relief-recipients/{resident_id}": CHECKERS,
    "POST /relief-parcels": STAFF,
    "GET /relief-parcels/{parcel_id}": CHECKERS,
    "POST /relief-parcels/{parcel_id}/deliver": CHECKERS,
    "GET /relief-ledger": CHECKERS,
    "POST /merchants": STAFF,
    "GET /merchants/{merchant_id}": CHECKERS_OR_SHOP,
    "GET /merchants": CHECKERS,
    "POST /merchants/{merchant_id}/price-lists": STAFF_OR_SHOP,
    "GET /merchants/{merchant_id}/price-lists/{version}": CHECKERS_OR_SHOP,
    "POST /orders": CHECKERS_OR_SHOP,
    "GET /orders/{order_id}": CHECKERS_OR_SHOP,
    "GET /orders": CHECKERS_OR_SHOP,
    "POST /orders/{order_id}/accept": STAFF_OR_SHOP,
    "POST /orders/{order_id}/assign": STAFF,
    "POST /orders/{order_id}/pick-up": CHECKERS,
    "POST /orders/{order_id}/deliver": CHECKERS,
    "POST /orders/{order_id}/hand-to-checkpoint": CHECKERS,
    "POST /orders/{order_id}/collect": CHECKERS,
    "POST /orders/{order_id}/fail": CHECKERS,
    "POST /orders/{order_id}/cancel": STAFF_OR_SHOP,
    "POST /pickup-points/{checkpoint_id}/slots": STAFF,
    "GET /pickup-points/{checkpoint_id}/slots": CHECKERS,
    "GET /pickup-points/{checkpoint_id}/uncollected": CHECKERS,
    "POST /teams": STAFF,
    "GET /teams/{team_id}": CHECKERS,
    "GET /teams/{team_id}/queue": CHECKERS,
    "GET /figures": FIGURE_READERS,
}

# How scope limits each endpoint (checked with real data by tests/e2e/test_delivery_scope.py).
# GRID: the thing's compound (an order's household, a checkpoint, a relief recipient) or community
# (a team, a merchant being registered) must lie in the token's grid scope, lists are filtered;
# where merchants may call too, a merchant's token acts only for its own shop (org claim).
# OWN: a merchant's token reaches its own shop only (staff: shops are town-wide business data,
# except that a community officer publishes price lists only for its community's shops).
SCOPE = {
    "POST /relief-stock/receipts": TOWN,  # one town depot, no personal data
    "GET /relief-stock": TOWN,
    "GET /relief-recipients/{resident_id}": GRID,
    "POST /relief-parcels": GRID,
    "GET /relief-parcels/{parcel_id}": GRID,
    "POST /relief-parcels/{parcel_id}/deliver": GRID,
    "GET /relief-ledger": GRID,
    "POST /merchants": GRID,
    "GET /merchants/{merchant_id}": OWN,
    "GET /merchants": TOWN,  # shops and whether they may sell: town-wide, no personal data
    "POST /merchants/{merchant_id}/price-lists": OWN,
    "GET /merchants/{merchant_id}/price-lists/{version}": OWN,
    "POST /orders": GRID,
    "GET /orders/{order_id}": GRID,
    "GET /orders": GRID,
    "POST /orders/{order_id}/accept": OWN,
    "POST /orders/{order_id}/assign": GRID,
    "POST /orders/{order_id}/pick-up": GRID,
    "POST /orders/{order_id}/deliver": GRID,
    "POST /orders/{order_id}/hand-to-checkpoint": GRID,
    "POST /orders/{order_id}/collect": GRID,
    "POST /orders/{order_id}/fail": GRID,
    "POST /orders/{order_id}/cancel": OWN,
    "POST /pickup-points/{checkpoint_id}/slots": GRID,
    "GET /pickup-points/{checkpoint_id}/slots": GRID,
    "GET /pickup-points/{checkpoint_id}/uncollected": GRID,
    "POST /teams": GRID,
    "GET /teams/{team_id}": GRID,
    "GET /teams/{team_id}/queue": GRID,
    "GET /figures": TOWN,  # aggregate counts and the town depot's stock, no personal data
}
