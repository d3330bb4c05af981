"""Fixtures for end-to-end tests: a demo warehouse, `leadline serve` on a free port, a Chromium.

Playwright drives Debian's Chromium (/usr/bin/chromium); Playwright's own browser
download does not work here. Screenshots go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_helpers import free_port, start_server, stop_server, wait_for_health

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_LEADS = 20_000
APP_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a demo warehouse of 20,000 leads ending today, written once per session by `leadline demo`."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    command = [sys.executable, "-m", "dashboard.cli", "demo", "--leads", str(DEMO_LEADS), "--out", str(path)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    return f"duckdb:///{path}"


@pytest.fixture(scope="session")
def server(demo_warehouse: str) -> Iterator[str]:
    """Base URL of `leadline serve` on a free port, serving the demo warehouse."""
    port = free_port()
    process = start_server(port, demo_warehouse)
    base_url = f"http://localhost:{port}"
    try:
        wait_for_health(base_url, process)
        yield base_url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium driven by Playwright (skipped when Chromium is not installed)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder screenshots are saved to, created if needed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, no storage, no identity) and page per test."""
    context = browser.new_context(viewport={"width": 1440, "height": 1800})
    try:
        yield context.new_page()
    finally:
        context.close()


def settle(page: Any) -> None:
    """Wait until the app has finished its script run (and the rerun a widget change triggers)."""
    page.wait_for_timeout(400)
    page.wait_for_selector(APP_DONE, timeout=90_000)
    # A loaded machine can start the rerun late: the state must hold over three looks, not one.
    for _ in range(3):
        page.wait_for_timeout(300)
        page.wait_for_selector(APP_DONE, timeout=90_000)
