"""The page's third-party library, from outside the repository: Apache ECharts, which the set-up
fetches from the npm registry (``BOARD_ECHARTS_JS``). Missing, it is a 404 and the page shows
numbers without charts; the board runs either way."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

router = APIRouter(include_in_schema=False)


@router.get("/static/vendor/echarts.min.js")
async def echarts(request: Request) -> FileResponse:
    path = request.app.state.settings.echarts_js
    if path is None or not path.is_file():
        raise HTTPException(404, "echarts.min.js is not installed here (BOARD_ECHARTS_JS; `make setup` fetches it)")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
