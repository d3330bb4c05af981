"""End to end in Chromium against `leadline serve`: pages, numbers, filters in the URL, screenshots."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.navigation import PAGE_SPECS, PAGES_DIR
from dashboard.ui.format import format_metric
from metrics.registry import metric
from tests.browser.conftest import settle

pytestmark = pytest.mark.browser

PAGE_PATHS = [spec.url_path for spec in PAGE_SPECS if (PAGES_DIR / spec.file).exists()]
PROBLEM_SELECTORS = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')
OVERVIEW_TILES = 7
TILES = (
    "leads",
    "follow_up_rate",
    "median_first_response_bh_min",
    "responded_1bh_rate",
    "conversion_in_window_rate",
)


def open_view(page: Any, url: str) -> None:
    page.goto(url)
    settle(page)


def assert_no_problem(page: Any) -> None:
    for selector in PROBLEM_SELECTORS:
        assert page.locator(selector).count() == 0, f"{selector} on {page.url}"
    assert "Traceback" not in page.inner_text("body")


def tile_values(page: Any) -> dict[str, str]:
    """Label -> shown value of every KPI tile of the Overview (waits until all are drawn)."""
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= {OVERVIEW_TILES}",
        timeout=90_000,
    )
    values = {}
    for tile in page.locator('[data-testid="stMetric"]').all():
        if not tile.is_visible():  # the clock-time tiles inside the closed expander
            continue
        label = tile.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        values[label] = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return values


def cli_numbers(warehouse: str, start: str, end: str, *filters: str) -> dict[str, Any]:
    """The totals `leadline metrics` prints for the same period and filters."""
    command = [sys.executable, "-m", "dashboard.cli", "metrics", "--warehouse", warehouse]
    command += ["--start", start, "--end", end, "--format", "json"]
    for item in filters:
        command += ["--filter", item]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    rows = json.loads(result.stdout)
    return rows[0] if isinstance(rows, list) else rows


def test_every_page_opens_without_an_error_and_is_screenshotted(
    page: Any, server: str, screenshots: Path
) -> None:
    for path in PAGE_PATHS:
        open_view(page, f"{server}/{path}")
        assert f"/{path}" in page.url
        assert_no_problem(page)
        page.screenshot(path=str(screenshots / f"{path}.png"), full_page=True)


def test_headline_numbers_equal_the_cli(
    page: Any, server: str, demo_warehouse: str, screenshots: Path
) -> None:
    today = datetime.now(UTC).date()
    start, end = (today - timedelta(days=59)).isoformat(), today.isoformat()
    open_view(page, f"{server}/overview?from={start}&to={end}&market=IT&market=DE")
    assert_no_problem(page)
    shown = tile_values(page)
    expected = cli_numbers(demo_warehouse, start, end, "market=IT", "market=DE")
    for name in TILES:
        assert shown[metric(name).label] == format_metric(name, expected[name]), name
    page.screenshot(path=str(screenshots / "overview-filtered.png"), full_page=True)


def test_changing_filters_updates_the_url_which_restores_the_view(
    page: Any, browser: Any, server: str
) -> None:
    open_view(page, f"{server}/overview")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Quick pick").click()
    page.get_by_role("option", name="Last 90 days").click()
    settle(page)
    sidebar.get_by_role("combobox", name="Market").fill("IT")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # close the list: while open, the rest of the page is aria-hidden
    settle(page)
    # One market chosen: the breakdown follows it down to dealer groups; a choice by hand is kept.
    assert page.get_by_role("radio", name="Dealer group").get_attribute("aria-checked") == "true"
    page.get_by_role("radio", name="Brand").click()
    settle(page)
    url = page.url
    today = datetime.now(UTC).date()
    assert f"from={(today - timedelta(days=89)).isoformat()}" in url
    assert "market=IT" in url and "by=brand" in url
    before = tile_values(page)
    assert before

    fresh = browser.new_context(viewport={"width": 1440, "height": 1800})
    try:
        again = fresh.new_page()
        open_view(again, url)
        assert_no_problem(again)
        assert again.url == url
        assert tile_values(again) == before
        restored = again.get_by_test_id("stSidebar")
        assert restored.get_by_role("combobox", name="Quick pick").input_value() == "Last 90 days"
        assert "IT" in restored.get_by_test_id("stMultiSelect").filter(has_text="Market").inner_text()
        assert again.get_by_role("radio", name="Brand").get_attribute("aria-checked") == "true"
        open_view(again, url.replace("/overview?", "/definitions?"))
        assert "/definitions?" in again.url and "market=IT" in again.url
        assert "by=" not in again.url  # the Overview's own option does not follow to other pages
    finally:
        fresh.close()


def test_a_bad_link_opens_with_a_notice_and_copy_link_gives_the_url(page: Any, server: str) -> None:
    open_view(page, f"{server}/overview?dealer=NOPE&from=31-12-2025&brand=Aurelia")
    assert_no_problem(page)
    body = page.inner_text("body")
    assert "'NOPE': unknown or outside your access" in body
    assert "dealer=" not in page.url and "brand=Aurelia" in page.url
    page.get_by_role("button", name="Copy link").click()
    code = page.get_by_test_id("stPopoverBody").locator("code").inner_text()
    assert code.replace("\n", "") == page.url
