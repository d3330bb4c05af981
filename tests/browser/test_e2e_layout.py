"""End to end in Chromium: an offline deployment stays offline, a phone gets a usable layout, and
"Copy link" shows its icon and fits the window (issue 15). Screenshots of each in artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import settle
from tests.browser.test_e2e_dashboard import assert_no_problem

pytestmark = pytest.mark.browser

PAGES = ("overview", "follow-up", "delivery", "close-reasons", "campaigns", "definitions", "data-quality")


def test_no_request_leaves_the_server(browser: Any, server: str, screenshots: Path) -> None:
    """Page icon, fonts, scripts, charts: every request of every page goes to Leadline's own host."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        for path in PAGES:
            page.goto(f"{server}/{path}")
            settle(page)
            assert_no_problem(page)
        icon = page.locator("link[rel~='icon']").first.get_attribute("href") or ""
    finally:
        context.close()
    host = urlparse(server).netloc
    assert len(requests) > len(PAGES)  # the recorder saw the pages load
    outside = [
        u
        for u in requests
        if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host
    ]
    assert not outside, f"requests left the server: {outside}"
    assert urlparse(icon).netloc in ("", host), f"the page icon comes from {icon}"  # not fonts.gstatic.com


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_a_phone_gets_tiles_in_two_columns_no_toolbar_and_the_filters_first(
    browser: Any, server: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{server}/overview")
        settle(page)
        assert_no_problem(page)
        page.wait_for_selector('[data-testid="stMetric"]')
        tiles = [t.bounding_box() for t in page.locator('[data-testid="stMetric"]').all()]
        assert len(tiles) >= 4
        first, second = tiles[0], tiles[1]
        assert abs(first["y"] - second["y"]) < 2, "the first two tiles share a row"
        assert first["width"] < 200 and second["x"] > first["x"] + first["width"]
        assert all(t["width"] < 200 for t in tiles), "a third tile in a row stays half wide"
        page.wait_for_selector(".js-plotly-plot")
        page.locator(".js-plotly-plot").first.tap()  # a tap shows Plotly's mode bar on a phone ...
        page.wait_for_timeout(300)
        assert not page.locator(".js-plotly-plot .modebar-container").first.is_visible()  # ... not here
        page.screenshot(path=str(screenshots / "layout-overview-400.png"))
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(800)
        period = _box(page, '[data-testid="stSidebarUserContent"]')
        pages = _box(page, '[data-testid="stSidebarNav"]')
        assert period["y"] < pages["y"], "the filters come before the page links"
        assert period["y"] < 800, "the filters are on the first screen"
        page.screenshot(path=str(screenshots / "layout-sidebar-400.png"))
    finally:
        context.close()


def test_a_wide_screen_keeps_the_page_links_first_and_tiles_in_one_row(
    browser: Any, server: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server}/overview")
        settle(page)
        page.wait_for_selector('[data-testid="stMetric"]')
        tiles = [t.bounding_box() for t in page.locator('[data-testid="stMetric"]').all()]
        assert len({round(t["y"]) for t in tiles[:4]}) == 1, "four tiles to a row"
        assert (
            _box(page, '[data-testid="stSidebarNav"]')["y"]
            < _box(page, '[data-testid="stSidebarUserContent"]')["y"]
        )
        page.screenshot(path=str(screenshots / "layout-overview-1440.png"))
    finally:
        context.close()


def test_copy_link_shows_its_icon_without_hover_and_fits_a_900_px_window(
    browser: Any, server: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server}/follow-up")
        settle(page)
        page.get_by_role("button", name="Copy link").click()
        body = page.locator('[data-testid="stPopoverBody"]')
        body.wait_for()
        page.mouse.move(1200, 60)  # away from the popover: the icon must not need a hover
        page.wait_for_timeout(500)
        copy = body.locator('[aria-label="Copy to clipboard"]')
        assert copy.is_visible()
        assert copy.evaluate(
            "el => { for (; el && el.dataset.testid !== 'stCode'; el = el.parentElement)"
            " if (getComputedStyle(el).opacity === '0') return false; return true; }"
        ), "the copy icon is transparent until hovered"
        box = body.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900
        page.screenshot(path=str(screenshots / "layout-copy-link-1440x900.png"))
    finally:
        context.close()


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_chart_mode_bar_never_covers_a_legend_entry(browser: Any, server: str, screenshots: Path) -> None:
    """Wide charts show Plotly's mode bar on hover, clear of their legend; narrow ones (in columns) none."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server}/campaigns")
        settle(page)
        charts = page.locator('[data-testid="stPlotlyChart"]')
        shown = hidden = 0
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            chart.hover()
            page.wait_for_timeout(400)
            bar = chart.locator(".modebar")
            if not bar.is_visible():
                hidden += 1
                continue
            shown += 1
            box = bar.bounding_box()
            entries = [e.bounding_box() for e in chart.locator(".legend .traces").all()]
            assert box is not None and not any(e and _overlap(box, e) for e in entries), f"chart {i}"
        assert shown and hidden, (shown, hidden)  # the lead-quality bars are wide, the funnel is in a column
    finally:
        context.close()
