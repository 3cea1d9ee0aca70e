"""HTTP: service teams, their load and their queue."""

from __future__ import annotations


from fastapi import APIRouter
from fastapi.responses import JSONResponse

from towngrid_kit.auth import ensure_in_scope
from towngrid_kit.grid import grid_filter
from towngrid_kit.http import After, Limit
from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.paging import Page, page_of

from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FieldWorker, Staff
from delivery.entrypoints.schemas import CreateTeam, OrderView, TeamView
from delivery.entrypoints.scope import ensure_team

router = APIRouter(tags=["teams"])


@router.post("/teams", status_code=201, response_model=TeamView,
             summary="Form a service team for a community, with its capacity")
async def create_team(body: CreateTeam, svc: Svc, principal: Staff, once: OncePerKey) -> JSONResponse:
    ensure_in_scope(principal, community=body.community_id)
    return await once.created(body, svc.teams.form(body.team_id, body.community_id, body.capacity, body.members),
                              lambda team: TeamView(**team, in_hand=0))


@router.get("/teams/{team_id}", response_model=TeamView, summary="A team and its load")
async def get_team(team_id: str, svc: Svc, principal: FieldWorker) -> TeamView:
    team = await svc.teams.get(team_id)
    await ensure_team(principal, svc.grid, team)
    return TeamView(**team, in_hand=await svc.teams.in_hand(team_id))


@router.get("/teams/{team_id}/queue", response_model=Page[OrderView],
            summary="The team's queue: its orders not yet delivered or handed over, oldest first")
async def team_queue(team_id: str, svc: Svc, principal: FieldWorker, after: After = None,
                     limit: Limit = 50) -> Page[OrderView]:
    team = await svc.teams.get(team_id)
    await ensure_team(principal, svc.grid, team)  # a compound volunteer sees the orders of their compound only
    found = await svc.orders.team_queue(team_id, await grid_filter(principal, svc.grid), after, limit + 1)
    return page_of(found, limit, lambda o: o.order_id, OrderView.of)
