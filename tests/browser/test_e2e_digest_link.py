"""A digest's deep link, opened in Chromium, restores the view: page, period, filters, comparison
and page option, with the same numbers as the e-mail (against `leadline serve`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from dashboard.cli import main as cli
from loaders.appdb import store
from loaders.appdb.schema import open_app_db
from tests.browser.conftest import settle
from tests.browser.test_e2e_dashboard import assert_no_problem, tile_values
from tests.mail_helpers import SmtpServer
from tests.test_digests import tile_values as digest_tiles

pytestmark = pytest.mark.browser
ACCESS = '[[grant]]\nrole = "admin"\nemails = ["root@example.com"]\n'


def test_the_deep_link_of_a_digest_restores_the_view(
    server: str,
    demo_warehouse: str,
    page: Any,
    screenshots: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS)
    app_db_url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    with SmtpServer() as smtp:
        for name, value in {
            "WAREHOUSE_URL": demo_warehouse,
            "ACCESS_FILE": str(access),
            "APP_DB_URL": app_db_url,
            "SMTP_URL": smtp.url,
            "PUBLIC_URL": server,
        }.items():
            monkeypatch.setenv(f"LEADLINE_{name}", value)
        app_db = open_app_db(app_db_url)
        store.add_subscription(
            app_db,
            email="root@example.com",
            created_by="root@example.com",
            page="overview",
            params={"market": ["IT"], "compare": ["year"], "by": ["brand"]},
            window="7d",
            frequency="weekly",
            weekday=now.weekday(),
            hour=0,
            tz="UTC",
            created_at=now - timedelta(days=8),
        )
        app_db.dispose()
        assert cli(["digests", "send-due", "--now", now.isoformat()]) == 0, capsys.readouterr().out
        (mail,) = smtp.received
    plain, html = mail.part("text/plain"), mail.part("text/html")
    link = next(line.split(": ", 1)[1] for line in plain.splitlines() if line.startswith("Open this view: "))
    asked = parse_qs(urlsplit(link).query)
    start, end = (now - timedelta(days=7)).date().isoformat(), (now - timedelta(days=1)).date().isoformat()
    assert asked == {"from": [start], "to": [end], "compare": ["year"], "market": ["IT"], "by": ["brand"]}

    page.goto(link)
    settle(page)
    assert_no_problem(page)
    assert urlsplit(page.url).path.endswith("/overview")
    assert parse_qs(urlsplit(page.url).query) == asked  # the app kept every value of the link
    page.screenshot(path=str(screenshots / "digest-link-overview-1440.png"), full_page=False)
    header = (
        page.locator('[data-testid="stMain"] [data-testid="stMarkdown"]')
        .filter(has_text="changes against")
        .first
    )
    words = (
        header.inner_text()
    )  # "20 Nov – 26 Nov 2026 (7 days) · changes against 20 Nov – 26 Nov 2025 · Market: IT"
    assert "Market: IT" in words and f"{int(end[:4]) - 1}" in words.split("changes against")[1], words
    market_choice = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="IT"
    )
    expect(market_choice.first).to_be_attached(timeout=30_000)
    shown = tile_values(page)
    assert digest_tiles(plain, list(shown)) == shown

    page.set_content(html)  # how the HTML part looks (the inline chart is a cid: reference here)
    page.set_viewport_size({"width": 800, "height": 1400})
    page.screenshot(path=str(screenshots / "digest-email-html.png"), full_page=True)
