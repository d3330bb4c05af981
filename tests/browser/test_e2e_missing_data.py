"""End to end in Chromium: the Olist-like warehouse (leads and outcomes only, old dates, no spend)
shows no misleading figure on any data page, at 1440 px and at 400 px, with a screenshot each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common import settings
from dashboard.ui.format import format_metric
from tests.browser.conftest import settle
from tests.browser.test_e2e_dashboard import assert_no_problem
from tests.olist_like import write_olist_like
from tests.serve_helpers import free_port, start_server, stop_server, wait_for_health

pytestmark = pytest.mark.browser

PAGES = ("overview", "follow-up", "delivery", "campaigns")
WIDTHS = {"desktop": (1440, 900), "phone": (400, 800)}


@pytest.fixture(scope="module")
def olist_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = write_olist_like(tmp_path_factory.mktemp("olist-e2e") / "olist.duckdb")
    port = free_port()
    process = start_server(port, url)
    base_url = f"http://localhost:{port}"
    try:
        wait_for_health(base_url, process)
        yield base_url
    finally:
        stop_server(process)


@pytest.mark.parametrize("size", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_missing_data_reads_not_in_your_data(
    browser: Any, olist_server: str, screenshots: Path, path: str, size: str
) -> None:
    width, height = WIDTHS[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{olist_server}/{path}")
        settle(page)
        assert_no_problem(page)
        page.wait_for_selector("text=not in your data", timeout=90_000)
        body = page.inner_text("body")
        assert "Your data ends on 31 May 2018; showing 2 May – 31 May 2018" in body
        assert "not in your data" in body
        assert "€0.00" not in body and "No leads match" not in body
        follow_up_target = format_metric("follow_up_rate", float(settings.get("target_follow_up_rate")))
        assert f"Target {follow_up_target}" not in body  # no red gap for a rate the data cannot give
        assert "from=2018-05-02" in page.url and "to=2018-05-31" in page.url
        page.screenshot(path=str(screenshots / f"missing-data-{path}-{size}.png"), full_page=True)
    finally:
        context.close()
