"""Drill down in Chromium: a click on a market's bar narrows the view, the URL says so, Back and the
chip undo it; screenshots of the drilled pages at 1440 and 400 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import settle

pytestmark = pytest.mark.browser

BARS = '[class*="st-key-overview-groups-market"] g.trace.bars g.point path'
CHIPS = '[class*="st-key-chip-"] button'


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _period() -> str:
    today = datetime.now(UTC).date()
    return f"from={(today - timedelta(days=89)).isoformat()}&to={today.isoformat()}"


def test_clicking_a_market_bar_narrows_the_view_and_the_chip_undoes_it(
    page: Any, server: str, screenshots: Path
) -> None:
    page.goto(f"{server}/overview?{_period()}")
    settle(page)
    page.locator(BARS).first.wait_for(timeout=90_000)
    assert page.locator(CHIPS).count() == 0
    box = page.locator(BARS).first.bounding_box()  # Plotly's drag layer takes the click, as for a person
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('market=')", timeout=90_000)
    settle(page)
    market = _query(page)["market"]
    assert len(market) == 1
    assert "by" not in _query(page)  # the breakdown follows the filter: the market's dealer groups
    chip = page.locator(CHIPS).first
    assert f"Market: {market[0]}" in chip.inner_text()  # (the demo labels markets by their code)
    assert page.locator('[class*="st-key-overview-groups-dealer_group_id"]').count() == 1
    page.screenshot(path=str(screenshots / "drill-overview-market-1440.png"), full_page=True)

    page.go_back()  # Back returns to the view before the click
    page.wait_for_function("() => !location.search.includes('market=')", timeout=90_000)
    settle(page)
    assert page.locator(CHIPS).count() == 0
    page.go_forward()
    page.wait_for_function("() => location.search.includes('market=')", timeout=90_000)
    settle(page)
    page.locator(CHIPS).first.wait_for(timeout=90_000)

    page.locator(CHIPS).first.click()  # the chip's cross removes the filter
    page.wait_for_function("() => !location.search.includes('market=')", timeout=90_000)
    settle(page)
    assert page.locator(CHIPS).count() == 0
    assert page.locator('[class*="st-key-overview-groups-market"]').count() == 1


def test_drilled_pages_at_400_px(browser: Any, server: str, screenshots: Path) -> None:
    """The chips and table options fit a phone; the screenshots are looked at by a person."""
    context = browser.new_context(viewport={"width": 400, "height": 800})
    try:
        page = context.new_page()
        for path, name in (("overview", "overview"), ("campaigns", "campaigns"), ("follow-up", "follow-up")):
            page.goto(f"{server}/{path}?{_period()}")
            settle(page)
            page.wait_for_selector('[data-testid="stDataFrame"]', state="attached", timeout=90_000)
            page.screenshot(path=str(screenshots / f"drill-{name}-400.png"), full_page=True)
    finally:
        context.close()
