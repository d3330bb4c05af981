"""In Chromium, signed in through a real OpenID Connect provider: a dealer principal subscribes to
the view they look at with "E-mail me this view", `leadline digests send-due` delivers it to a
local SMTP server, and the Subscriptions section lists it with pause and delete. Screenshots at
1440 and 400 px."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from dashboard.cli import main as cli
from loaders.appdb import store
from loaders.appdb.schema import open_app_db, subscriptions
from tests.browser.conftest import settle
from tests.browser.oidc import OidcProvider, oidc_provider, sign_in, write_secrets
from tests.browser.test_e2e_signin import ACCESS, BRAND, DEALER
from tests.mail_helpers import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class App:
    url: str
    provider: OidcProvider
    warehouse: str
    access_file: Path
    app_db_url: str


@pytest.fixture(scope="module")
def app(demo_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    from tests.browser.conftest import free_port, stop_server, wait_for_health

    home = tmp_path_factory.mktemp("subscribe")
    access = home / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    app_db_url = f"sqlite:///{home / 'app.sqlite'}"
    with oidc_provider([BRAND, DEALER]) as provider:
        port = free_port()
        write_secrets(home, provider.auth_section(port))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADLINE_", "STREAMLIT_"))}
        env |= {
            "LEADLINE_ACCESS_FILE": str(access),
            "LEADLINE_APP_DB_URL": app_db_url,
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        }
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        command = [
            sys.executable,
            "-m",
            "dashboard.cli",
            "serve",
            "--port",
            str(port),
            "--warehouse",
            demo_warehouse,
        ]
        process = subprocess.Popen(
            command,
            cwd=home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://localhost:{port}"
        try:
            wait_for_health(base, process)
            yield App(base, provider, demo_warehouse, access, app_db_url)
        finally:
            stop_server(process)


def test_a_user_subscribes_from_the_page_and_receives_the_digest(
    page: Any,
    app: App,
    screenshots: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    sign_in(page, app.provider, DEALER.email)
    settle(page)
    page.goto(f"{app.url}/follow-up?compare=year")
    settle(page)
    page.get_by_role("button", name="E-mail me this view").click()
    page.get_by_role("button", name="Subscribe").wait_for(timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "subscribe-popover-1440.png"))
    page.get_by_role("button", name="Subscribe").click()
    page.locator('[data-testid="stToast"]', has_text="Subscribed principal@lombardi.example").wait_for(timeout=30_000)

    db = open_app_db(app.app_db_url)
    (sub,) = store.list_subscriptions(db)
    assert (sub.email, sub.page, sub.params) == (DEALER.email, "follow-up", {"compare": ["year"]})
    # Pretend it was made a week ago, due at the hour just past, so this run sends it.
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    with db.begin() as conn:
        conn.execute(
            update(subscriptions).values(
                weekday=now.weekday(), hour=now.hour, tz="UTC", created_at=now - timedelta(days=8)
            )
        )
    with SmtpServer() as smtp:
        for name, value in {
            "WAREHOUSE_URL": app.warehouse,
            "ACCESS_FILE": str(app.access_file),
            "APP_DB_URL": app.app_db_url,
            "SMTP_URL": smtp.url,
            "PUBLIC_URL": app.url,
        }.items():
            monkeypatch.setenv(f"LEADLINE_{name}", value)
        assert cli(["digests", "send-due", "--now", now.isoformat()]) == 0, capsys.readouterr().out
        assert cli(["digests", "send-due", "--now", now.isoformat()]) == 0  # a rerun sends nothing
    (mail,) = smtp.received
    assert mail.rcpt_tos == [DEALER.email]
    assert mail.message["Subject"].startswith("Leadline weekly digest: Follow-up coverage")
    assert f"{app.url}/follow-up?from=" in mail.part("text/plain") and "compare=year" in mail.part(
        "text/plain"
    )

    page.goto(f"{app.url}/subscriptions")
    settle(page)
    page.get_by_text("Follow-up coverage", exact=False).first.wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "subscriptions-1440.png"), full_page=True)
    page.set_viewport_size({"width": 400, "height": 1200})
    settle(page)
    page.screenshot(path=str(screenshots / "subscriptions-400.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    settle(page)
    assert [s.paused for s in store.list_subscriptions(db)] == [True]
    page.get_by_role("button", name="Delete").click()
    settle(page)
    assert store.list_subscriptions(db) == []
    db.dispose()
