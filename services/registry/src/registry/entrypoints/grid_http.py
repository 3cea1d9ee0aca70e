"""The grid's HTTP api: town → communities → compounds (each with its checkpoint) → neighbour groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from towngrid_kit.idempotency import OncePerKey
from towngrid_kit.http import After, from_state
from towngrid_kit.paging import Page, page_of
from towngrid_kit.auth import Principal, require_roles
from towngrid_kit.errors import InvalidInput
from towngrid_kit.problems import problem
from registry.domain.grid import Grid
from registry.entrypoints.grid_schemas import (
    CheckpointView,
    CommunityView,
    CompoundView,
    GridSettingsBody,
    GridView,
    GroupView,
    ImportReport,
    NewCommunity,
    NewCompound,
    NewGroup,
    Rename,
)
from registry.entrypoints.scoping import Guard
from registry.service.grid import GridImportRefused, GridService
from registry.entrypoints.roles import Admin, Staff

MAX_IMPORT_BYTES = 1_000_000
Limit = Annotated[int, Query(ge=1, le=500)]

router = APIRouter(prefix="/grid", tags=["grid"])


Grids = Annotated[GridService, from_state("grid")]
AnyStaff = Annotated[Principal, Depends(require_roles())]


def _after(ids: list[str], after: str | None, limit: int) -> list[str]:
    """The ids after ``after`` in order, one more than a page (for ``page_of``)."""
    return sorted(i for i in ids if after is None or i > after)[:limit + 1]


@router.get("", response_model=GridView, summary="The town's grid at a glance, and its settings")
async def get_grid(service: Grids, _: AnyStaff) -> GridView:
    return GridView.of(await service.get())


@router.put("/settings", response_model=GridView,
            summary="Require known compounds on registration; set the town's returnee checklist")
async def change_settings(body: GridSettingsBody, service: Grids, guard: Guard, principal: Admin) -> GridView:
    await guard.town(principal)
    if body.requires_known_compound is None and body.checklist is None:
        raise InvalidInput("give requires_known_compound or checklist", field="body")
    grid = await service.change_settings(body.requires_known_compound,
                                         body.checklist.template() if body.checklist else None)
    return GridView.of(grid)


@router.post("/import", status_code=200, response_model=ImportReport,
             summary="Import a whole town from CSV (all rows or none)",
             description="Columns: community_id, community_name, compound_id, compound_name[, group_id, group_name]. "
                         "One row per compound, or per neighbour group. Every row is checked first; any problem "
                         "gives 422 with every row's errors and stores nothing. Units already in the grid are kept.",
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}})
async def import_grid(request: Request, service: Grids, guard: Guard, principal: Admin,
                      once: OncePerKey) -> JSONResponse:
    await guard.town(principal)
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("text/csv", "text/plain"):
        raise InvalidInput("send the file as text/csv", field="header.content-type")
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        return problem(413, "Payload too large", f"the file is larger than {MAX_IMPORT_BYTES} bytes; split it",
                       errors=[{"field": "body", "message": "too large"}])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", field="body") from None

    async def action() -> tuple[int, object]:
        report = await service.import_csv(text)
        return 200, ImportReport(**report).model_dump(mode="json")

    try:
        return await once({"csv": text}, action)
    except GridImportRefused as refused:
        errors = [{"field": f"rows[{e.row}].{e.field}", "row": e.row, "column": e.field, "message": e.message}
                  for e in refused.errors]
        return problem(422, "Invalid input", f"the import was refused: {len(errors)} problems in the file; "
                       "nothing was imported", errors=errors)


@router.post("/communities", status_code=201, response_model=CommunityView, summary="Register a community")
async def register_community(body: NewCommunity, service: Grids, guard: Guard, principal: Admin,
                             once: OncePerKey) -> JSONResponse:
    await guard.town(principal)
    return await once.created(body, service.register_community(body.community_id, body.name), lambda community:
                              CommunityView(community_id=community.community_id, name=community.name, compounds=0))


@router.get("/communities", response_model=Page[CommunityView], summary="List communities, a page at a time")
async def list_communities(service: Grids, _: AnyStaff, after: After = None, limit: Limit = 50) -> Page[CommunityView]:
    grid = await service.get()
    return page_of(_after(list(grid.communities), after, limit), limit, str,
                   lambda i: CommunityView.of(grid.communities[i], grid))


@router.patch("/communities/{community_id}", response_model=CommunityView, summary="Rename a community")
async def rename_community(community_id: str, body: Rename, service: Grids, guard: Guard,
                           principal: Admin) -> CommunityView:
    await guard.town(principal)
    grid = await service.rename("community", community_id, body.name)
    return CommunityView.of(grid.communities[community_id], grid)


@router.post("/compounds", status_code=201, response_model=CompoundView,
             summary="Register a compound (its checkpoint comes with it)")
async def register_compound(body: NewCompound, service: Grids, guard: Guard, principal: Admin,
                            once: OncePerKey) -> JSONResponse:
    await guard.town(principal)
    return await once.created(body, service.register_compound(body.compound_id, body.community_id, body.name),
                              lambda compound: CompoundView(compound_id=compound.compound_id, name=compound.name,
                                                            community_id=compound.community_id,
                                                            checkpoint_id=compound.checkpoint_id, groups=[]))


def _compounds(grid: Grid, community_id: str | None) -> list[str]:
    return [c.compound_id for c in grid.compounds.values() if community_id is None or c.community_id == community_id]


@router.get("/compounds", response_model=Page[CompoundView], summary="List compounds, a page at a time")
async def list_compounds(service: Grids, _: AnyStaff, community_id: str | None = None, after: After = None,
                         limit: Limit = 50) -> Page[CompoundView]:
    grid = await service.get()
    return page_of(_after(_compounds(grid, community_id), after, limit), limit, str,
                   lambda i: CompoundView.of(grid.compounds[i], grid))


@router.get("/compounds/{compound_id}", response_model=CompoundView, summary="One compound, its checkpoint and groups")
async def get_compound(compound_id: str, service: Grids, _: AnyStaff) -> CompoundView:
    grid = await service.get()
    return CompoundView.of(grid.compound(compound_id), grid)


@router.patch("/compounds/{compound_id}", response_model=CompoundView, summary="Rename a compound")
async def rename_compound(compound_id: str, body: Rename, service: Grids, guard: Guard,
                          principal: Admin) -> CompoundView:
    await guard.town(principal)
    grid = await service.rename("compound", compound_id, body.name)
    return CompoundView.of(grid.compound(compound_id), grid)


@router.get("/checkpoints", response_model=Page[CheckpointView], summary="The checkpoints, one per compound")
async def list_checkpoints(service: Grids, _: AnyStaff, community_id: str | None = None, after: After = None,
                           limit: Limit = 200) -> Page[CheckpointView]:
    grid = await service.get()
    by_checkpoint = {grid.compounds[c].checkpoint_id: grid.compounds[c] for c in _compounds(grid, community_id)}
    return page_of(_after(list(by_checkpoint), after, limit), limit, str, lambda i: CheckpointView(
        checkpoint_id=i, compound_id=by_checkpoint[i].compound_id, community_id=by_checkpoint[i].community_id))


@router.post("/groups", status_code=201, response_model=GroupView, summary="Register a neighbour group")
async def register_group(body: NewGroup, service: Grids, guard: Guard, principal: Staff,
                         once: OncePerKey) -> JSONResponse:
    await guard.compound(principal, body.compound_id)
    return await once.created(body, service.register_group(body.group_id, body.compound_id, body.name), GroupView.of)


@router.get("/groups", response_model=Page[GroupView], summary="List neighbour groups, a page at a time")
async def list_groups(service: Grids, _: AnyStaff, compound_id: str | None = None, after: After = None,
                      limit: Limit = 50) -> Page[GroupView]:
    grid = await service.get()
    return page_of(_after([g.group_id for g in grid.groups.values()
                           if compound_id is None or g.compound_id == compound_id], after, limit), limit, str,
                   lambda i: GroupView.of(grid.groups[i]))


@router.patch("/groups/{group_id}", response_model=GroupView, summary="Rename a neighbour group")
async def rename_group(group_id: str, body: Rename, service: Grids, guard: Guard, principal: Staff) -> GroupView:
    await guard.group(principal, group_id)
    grid = await service.rename("neighbour_group", group_id, body.name)
    return GroupView.of(grid.groups[group_id])
