"""The page's ECharts, served from where the set-up put it, and a 404 (not a failed start) where
it is missing: the page then shows numbers without charts."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from board.config import BoardSettings
from board.entrypoints import vendor


def app_with(echarts_js: Path | None) -> FastAPI:
    app = FastAPI()
    app.state.settings = BoardSettings(kafka_bootstrap="127.0.0.1:1", mongo_url="mongodb://127.0.0.1:1",
                                       auth_jwt_secret="x" * 32, echarts_js=echarts_js)
    app.include_router(vendor.router)
    return app


async def get(app: FastAPI) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://board") as client:
        return await client.get("/static/vendor/echarts.min.js")


async def test_serves_the_file_the_settings_name(tmp_path: Path) -> None:
    library = tmp_path / "echarts.min.js"
    library.write_text("window.echarts = {};")
    answer = await get(app_with(library))
    assert answer.status_code == 200
    assert answer.text == "window.echarts = {};"
    assert answer.headers["content-type"].startswith("text/javascript")


async def test_a_missing_file_is_a_404(tmp_path: Path) -> None:
    assert (await get(app_with(tmp_path / "missing.js"))).status_code == 404
    assert (await get(app_with(None))).status_code == 404
