"""The situation board's page in a real browser (Debian's Chromium driven by Playwright; no browser
is downloaded): log-in with a board_viewer token, the page's figures equal the board API's, and
what the test changes moves the board and the services' own /figures alike, a new event changes
the page within seconds, drill-down to a community, the language switch, a phone screen without
horizontal scrolling. Saves screenshots to .towngrid/screenshots/ (board.png: the town;
board-phone.png: the phone)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from board_support import board_figures, change, pairs, services_figures, settled_pairs
from e2e_support import System, eventually
from grid_support import new_communities
from people import quarantine_order, returnee
from towngrid_kit.auth import Role

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".towngrid" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# As root in a closed network: no sandbox, and nothing that phones home (polyglot.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LIVE_WITHIN_S = 20.0  # "within seconds", with room for a loaded 2-core machine
# The tiles this test reads, and how this test moves each figure (on the board and the services alike).
TILES = ("returnees_total", "in_home_quarantine", "in_centralized_quarantine", "permits_issued",
         "workers_matched", "enterprises_resumed")
MOVES = {"returnees_total": 2, "in_home_quarantine": 1, "in_centralized_quarantine": 0, "permits_issued_by_type": {},
         "workers_matched": 0, "enterprises_resumed": 0}


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs it (scripts/chromium.sh: apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def logged_in(browser: Browser, url: str, token: str, viewport: dict[str, int]) -> Page:
    page = await (await browser.new_context(viewport=viewport, locale="zh-CN")).new_page()
    await page.goto(url)
    await page.locator("#login").wait_for(state="visible")
    await page.fill("#token", token)
    await page.click("#login-form button[type=submit]")
    await page.locator("#board").wait_for(state="visible")
    await page.locator('[data-figure="returnees_total"]').wait_for()
    return page


async def shown(page: Page, figure: str) -> float | None:
    """The number on the figure's tile (None while there is none)."""
    tile = page.locator(f'[data-figure="{figure}"] .value')
    if not await tile.count():
        return None
    return float((await tile.inner_text()).replace(",", ""))


async def register(system: System, compound: str, quarantine: bool = False) -> str:
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee(compound))
        assert created.status_code == 201, created.text
        resident = created.json()["resident"]["resident_id"]
        if quarantine:
            started = await registry.post(f"/residents/{resident}/quarantines", json=quarantine_order("home"))
            assert started.status_code in (200, 201), started.text
        return resident


async def test_the_board_page(system: System, browser: Browser) -> None:
    board = system.services["board"]
    token = system.token(Role.BOARD_VIEWER, subject="board-page-test")
    community = (await new_communities(system, count=1, compounds=3))[0]
    before = await settled_pairs(system)
    await register(system, community.compounds[0], quarantine=True)
    await register(system, community.compounds[1])

    page = await logged_in(browser, board.url, token, DESKTOP)
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"

    # The page shows what the board's API says; what this test changed, the board and the
    # services' own /figures count alike. (Totals can differ in a full run: other tests put
    # events on the topics directly, which the services' databases never see.)
    last: dict[str, dict[str, tuple]] = {}

    async def agreeing() -> bool:
        served = await board_figures(system)
        now = pairs(served, await services_figures(system))
        last.update(moves={n: (change(now[n][0], before[n][0]), change(now[n][1], before[n][1])) for n in MOVES},
                    page_vs_api={n: (await shown(page, n), served["figures"].get(n)) for n in TILES})
        return (all(last["moves"][n] == (m, m) for n, m in MOVES.items())
                and all(on_page == in_api for on_page, in_api in last["page_vs_api"].values()))
    try:
        await eventually(agreeing, timeout=60, interval=1)
    except AssertionError:
        raise AssertionError(f"the figures disagree (moves since the start: board, services; page vs API): {last}") from None
    assert await page.locator("#lag").get_attribute("data-events-behind") is not None
    assert await page.evaluate("typeof window.echarts") == "object", "the set-up's ECharts is served"
    await page.locator('[data-series="returnees_per_day"] canvas').wait_for()

    # Relief stock (town only): a receipt at the depot shows as a tile and in the chart of parcels
    # issued against stock on hand.
    on_hand = await shown(page, "relief_stock_on_hand") or 0
    async with system.client("delivery") as delivery:
        assert (await delivery.post("/relief-stock/receipts", json={"items": {"thermometer": 1}})).status_code == 201
    await page.wait_for_function(
        "(n) => Number(document.querySelector('[data-figure=relief_stock_on_hand] .value')?.textContent.replace(/,/g, '')) > n",
        arg=on_hand, timeout=LIVE_WITHIN_S * 1000)
    await page.locator('[data-series="relief_stock_by_item"] canvas').wait_for()
    assert await page.locator('[data-figure="relief_stock_on_hand"] .label').inner_text() == "救助物资库存（件）"

    # A new event changes the page within seconds, through the stream (no reload).
    before = await shown(page, "returnees_total")
    assert before is not None
    started = time.monotonic()
    await register(system, community.compounds[2])
    await page.wait_for_function(
        "(n) => Number(document.querySelector('[data-figure=returnees_total] .value').textContent.replace(/,/g, '')) > n",
        arg=before, timeout=LIVE_WITHIN_S * 1000)
    print(f"\nthe page showed the new returnee {time.monotonic() - started:.1f} s after the registry's 201")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "board.png"), full_page=True)

    # Drill-down: the community's figures are its own (three returnees registered there).
    # (The page shows the community first; on a fresh stack the town's total can be 3 as well.)
    await page.click(f'[data-community="{community.community_id}"] > button')
    await page.wait_for_function("(c) => document.querySelector('#crumbs [aria-current=page]')?.textContent.includes(c)",
                                 arg=community.community_id, timeout=10000)
    await page.wait_for_function("(n) => document.querySelector('[data-figure=returnees_total] .value')"
                                 ".textContent === String(n)", arg=3, timeout=10000)
    assert await page.locator(f'[data-community="{community.community_id}"] [data-compound]').count() == 3

    # The language switch: a Chinese label becomes English, and back.
    label = page.locator('[data-figure="returnees_total"] .label')
    assert await label.inner_text() == "返乡人员登记"
    await page.click("#lang-switch")
    assert await label.inner_text() == "Returnees registered"
    assert await page.evaluate("document.documentElement.lang") == "en"
    await page.click("#lang-switch")
    assert await label.inner_text() == "返乡人员登记"

    # A phone: everything fits the width.
    phone = await logged_in(browser, board.url, token, PHONE)
    await phone.locator('[data-series="returnees_per_day"] canvas').wait_for()
    widths = await phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll on a phone: {widths}"
    await phone.screenshot(path=str(SCREENSHOTS / "board-phone.png"), full_page=True)

    # Log-out: the page asks for the token again.
    await page.click("#logout")
    await page.locator("#login").wait_for(state="visible")
    await page.reload()
    await page.locator("#login").wait_for(state="visible")
