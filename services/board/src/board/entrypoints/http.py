"""The board's api: the figures of a scope (JSON), the same as server-sent events whenever they
change, a session cookie for the browser's EventSource, and the page itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from towngrid_kit.auth import Principal, Role, TokenVerifier, require_roles
from towngrid_kit.errors import InvalidInput
from towngrid_kit.http import ApiResources, create_app, serve
from towngrid_kit.settings import load_settings
from board.bootstrap import build_board
from board.config import BoardSettings
from board.domain.scope import NotInCommunity, OutsideScope, Scope, resolve
from board.entrypoints import vendor
from board.service.board import Board

STATIC = Path(__file__).resolve().parent.parent / "static"
COOKIE = "board_session"
VIEWERS = (Role.BOARD_VIEWER, Role.TOWN_ADMIN)
Viewer = Annotated[Principal, Depends(require_roles(*VIEWERS, cookie=COOKIE))]
Place = Annotated[str | None, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]

router = APIRouter(tags=["board"])


def board_of(request: Request) -> Board:
    return request.app.state.board


def scope_of(principal: Principal, board: Board, community: str | None, compound: str | None) -> Scope:
    try:
        return resolve(principal.grid, community, compound, board.snapshot.compounds)
    except OutsideScope:
        raise HTTPException(403, f"outside your scope ({principal.scope})") from None
    except NotInCommunity:
        raise InvalidInput(f"compound {compound} is not in community {community}", field="query.compound") from None


@router.get("/api/figures", summary="The figures of the town, a community or a compound (counts only)")
async def figures(request: Request, principal: Viewer, community: Place = None, compound: Place = None) -> dict[str, Any]:
    board = board_of(request)
    return board.payload(scope_of(principal, board, community, compound))


@router.get("/api/stream", summary="Server-sent events: `figures` (the JSON of /api/figures) whenever it changes",
            response_class=StreamingResponse)
async def stream(request: Request, principal: Viewer, community: Place = None, compound: Place = None) -> StreamingResponse:
    board = board_of(request)
    scope = scope_of(principal, board, community, compound)
    settings: BoardSettings = request.app.state.settings

    async def events() -> AsyncIterator[str]:
        ends = time.monotonic() + settings.stream_max_s  # the browser reconnects, and the token is checked again
        version = -1
        while time.monotonic() < ends and not await request.is_disconnected():
            if version != board.version:
                version = board.version
                yield f"event: figures\ndata: {json.dumps(board.payload(scope), ensure_ascii=False)}\n\n"
            elif not await board.wait_change(version, settings.heartbeat_interval_s):
                yield ": heartbeat\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class SessionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=8192)


@router.post("/api/session", status_code=200,
             summary="Keep a viewer's token in an HttpOnly cookie (for the page's EventSource)")
async def open_session(body: SessionBody, request: Request, response: Response) -> dict[str, str]:
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = verifier.verify(body.token)
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"invalid token: {error}") from None
    if principal.role not in VIEWERS:
        raise HTTPException(403, f"role {principal.role.value} may not view the board")
    expires = jwt.decode(body.token, options={"verify_signature": False})["exp"]
    settings: BoardSettings = request.app.state.settings
    response.set_cookie(COOKIE, body.token, max_age=max(int(expires - time.time()), 1), httponly=True,
                        samesite="strict", secure=settings.session_cookie_secure, path="/api")
    return {"role": principal.role.value, "scope": principal.scope}


@router.delete("/api/session", status_code=204, summary="Forget the session cookie")
async def close_session(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/api")
    response.status_code = 204
    return response


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def create_board_app(settings: BoardSettings) -> FastAPI:
    async def setup(app: FastAPI, resources: ApiResources) -> None:
        app.state.board, app.state.board_lag = build_board(resources.db, settings)

    app = create_app(service="board", settings=settings, routers=[router, vendor.router], setup=setup,
                     description="The town's situation board: counts from the four services' events, live.")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            stop = asyncio.Event()
            task = asyncio.create_task(app.state.board.run(settings.refresh_interval_s, stop), name="board-refresh")
            try:
                yield
            finally:
                stop.set()
                await task
                await app.state.board_lag.close()

    app.router.lifespan_context = lifespan
    return app


def main() -> None:
    settings = load_settings(BoardSettings)
    serve(create_board_app(settings), settings)
