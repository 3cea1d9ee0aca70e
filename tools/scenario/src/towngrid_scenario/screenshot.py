"""A picture of the board once it has caught up: `towngrid-scenario --screenshot docs/board.png`
(what the README shows). Debian's Chromium (`make setup`), driven by Playwright (a dev
dependency of the workspace); no browser is downloaded."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

CHROMIUM = Path("/usr/bin/chromium")
# As root in a closed network: no sandbox, and nothing that phones home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}


async def caught_up(board_url: str, token: str, timeout_s: float) -> int:
    """Wait until the board is behind the topics by no event; the events still behind at the end."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=board_url, headers={"Authorization": f"Bearer {token}"}) as client:
        while True:
            answer = await client.get("/api/figures")
            answer.raise_for_status()
            behind = answer.json()["lag"]["events_behind"]
            if behind == 0 or time.monotonic() > deadline:
                return behind
            await asyncio.sleep(1)


async def take(board_url: str, token: str, path: Path, timeout_s: float = 120) -> int:
    """Log in with ``token`` (a board_viewer's), wait for the board to catch up and save the page
    to ``path``; returns the events it was still behind by (0 when it caught up)."""
    from playwright.async_api import async_playwright  # a dev dependency: only this command needs it

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: `make setup` installs it")
    behind = await caught_up(board_url, token, timeout_s)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = await (await browser.new_context(viewport=DESKTOP, locale="zh-CN")).new_page()
            await page.goto(board_url)
            await page.fill("#token", token)
            await page.click("#login-form button[type=submit]")
            await page.locator('[data-figure="returnees_total"] .value').wait_for()
            await page.locator('[data-series="returnees_per_day"] canvas').wait_for()
            await page.wait_for_timeout(1500)  # the charts' entry animation
            path.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(path), full_page=True)
        finally:
            await browser.close()
    return behind
