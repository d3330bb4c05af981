"""End to end in Chromium: the detail pages and the Import page open clean over a 90-day period,
get a full-height screenshot each, and Follow-up coverage shows the CLI's numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from dashboard.ui.format import format_metric
from metrics.registry import metric
from tests.browser.conftest import settle
from tests.browser.test_e2e_dashboard import assert_no_problem, open_view

pytestmark = pytest.mark.browser

DETAIL_PAGES = ("follow-up", "delivery", "close-reasons", "campaigns")
MAX_HEIGHT = 9000


def period(days: int = 90) -> tuple[str, str]:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


def full_screenshot(page: Any, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it first.

    Tables are drawn on a canvas only once in view, hence the wait after resizing.
    """
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight), 1200)"
    )
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 120, MAX_HEIGHT)})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 1800})


def cli_rows(warehouse: str, start: str, end: str, by: str) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "dashboard.cli", "metrics", "--warehouse", warehouse]
    command += ["--start", start, "--end", end, "--by", by, "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    rows = json.loads(result.stdout)
    return rows if isinstance(rows, list) else [rows]


@pytest.mark.parametrize("path", DETAIL_PAGES)
def test_detail_page_opens_clean_over_90_days_and_is_screenshotted(
    page: Any, server: str, screenshots: Path, path: str
) -> None:
    start, end = period()
    open_view(page, f"{server}/{path}?from={start}&to={end}")
    assert_no_problem(page)
    page.wait_for_selector('[data-testid="stPlotlyChart"]', timeout=30_000)
    expect(page.locator('[data-testid="stDownloadButton"]').first).to_be_attached(timeout=30_000)
    full_screenshot(page, screenshots / f"{path}-90d.png")


def test_follow_up_headline_numbers_equal_the_cli_by_dealer_group(
    page: Any, server: str, demo_warehouse: str, screenshots: Path
) -> None:
    start, end = period()
    rows = [r for r in cli_rows(demo_warehouse, start, end, "dealer_group_id") if not r["suppressed"]]
    group = max(rows, key=lambda r: r["leads"])
    open_view(page, f"{server}/follow-up?from={start}&to={end}&group={group['dealer_group_id']}")
    assert_no_problem(page)
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stMetricValue\"]').length >= 6", timeout=90_000
    )
    shown = {}
    for tile in page.locator('[data-testid="stMetric"]').all():
        label = tile.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    for name in (
        "follow_up_rate",
        "median_first_response_bh_min",
        "responded_1bh_rate",
        "duplicate_contact_rate",
    ):
        assert shown[metric(name).label] == format_metric(name, group[name]), name
    full_screenshot(page, screenshots / "follow-up-one-group.png")


def test_import_page_checks_an_example_and_offers_the_import(
    page: Any, server: str, screenshots: Path
) -> None:
    open_view(page, f"{server}/import")
    assert_no_problem(page)
    page.get_by_role("button", name="Check").click()
    settle(page)
    body = page.inner_text("body")
    if "No problems found" not in body:  # the example's public data set is not on this machine
        assert "problem(s) found" in body
    else:
        assert page.get_by_role("button", name="Import into the warehouse").count() == 1
    assert_no_problem_but_the_report(page)
    full_screenshot(page, screenshots / "import-checked.png")


def assert_no_problem_but_the_report(page: Any) -> None:
    """No exception and no traceback (the problem report itself is an expected red box)."""
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.inner_text("body")
