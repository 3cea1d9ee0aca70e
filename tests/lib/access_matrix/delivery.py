"""Who may call each delivery endpoint (the role part of issue 8's matrix).

Every operation in the service's OpenAPI document must be listed here; ``test_access_matrix``
checks each role against each endpoint on the running service.
"""

from access_matrix.marks import ANY, GRID, OWN, PUBLIC, TOWN
from towngrid_kit.auth import Role as R

ACCESS = {
    "POST /relief-stock/receipts": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /relief-stock": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "GET /relief-recipients/{resident_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /relief-parcels": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /relief-parcels/{parcel_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /relief-parcels/{parcel_id}/deliver": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "GET /relief-ledger": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /merchants": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /merchants/{merchant_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER, R.MERCHANT},
    "GET /merchants": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /merchants/{merchant_id}/price-lists": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.MERCHANT},
    "GET /merchants/{merchant_id}/price-lists/{version}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER, R.MERCHANT},
    "POST /orders": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER, R.MERCHANT},
    "GET /orders/{order_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER, R.MERCHANT},
    "GET /orders": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER, R.MERCHANT},
    "POST /orders/{order_id}/accept": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.MERCHANT},
    "POST /orders/{order_id}/assign": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "POST /orders/{order_id}/pick-up": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /orders/{order_id}/deliver": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /orders/{order_id}/hand-to-checkpoint": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /orders/{order_id}/collect": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /orders/{order_id}/fail": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /orders/{order_id}/cancel": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.MERCHANT},
    "POST /pickup-points/{checkpoint_id}/slots": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /pickup-points/{checkpoint_id}/slots": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "GET /pickup-points/{checkpoint_id}/uncollected": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "POST /teams": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER},
    "GET /teams/{team_id}": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
    "GET /teams/{team_id}/queue": {R.TOWN_ADMIN, R.COMMUNITY_OFFICER, R.COMPOUND_VOLUNTEER},
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
}
