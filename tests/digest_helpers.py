"""Shared by the digest and alert tests: an access file, a local SMTP server, an application
database and the settings pointing at them (``mail_env``), and helpers to subscribe and send."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard.cli import main as cli
from loaders.appdb import store
from loaders.appdb.schema import open_app_db
from tests.mail_helpers import SmtpServer

PUBLIC = "http://leadline.test/base"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "4f6d0c1e9a2b7c3d8e5f0a1b2c3d4e5f6a7b8c9d0e1f2a3b",
    "client_id": "leadline",
    "client_secret": "test",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ACCESS = """
[[grant]]
role = "dealer_group"
emails = ["principal@lombardi.example"]
dealer_groups = ["G01"]

[[grant]]
role = "brand"
domains = ["aurelia.example"]
brands = ["Aurelia"]

[[grant]]
role = "admin"
emails = ["root@example.com"]
"""
PRINCIPAL = "principal@lombardi.example"


@dataclass
class Env:
    access: Path
    app_db: Engine
    smtp: SmtpServer
    now: datetime

    def send_due(self, capsys: pytest.CaptureFixture[str], now: datetime | None = None) -> tuple[int, str]:
        code = cli(["digests", "send-due", "--now", (now or self.now).isoformat(timespec="minutes")])
        return code, capsys.readouterr().out

    def subscribe(
        self,
        email: str,
        page: str = "overview",
        params: dict[str, list[str]] | None = None,
        window: str = "7d",
    ) -> int:
        return store.add_subscription(
            self.app_db,
            email=email,
            created_by=email,
            page=page,
            params=params or {},
            window=window,
            frequency="weekly",
            weekday=self.now.weekday(),
            hour=0,
            tz="UTC",
            created_at=self.now - timedelta(days=8),
        )


@contextmanager
def mail_env(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    """Settings for a demo warehouse, an access file, a local SMTP server and a new application database."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    app_db_url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    with SmtpServer() as smtp:
        for name, value in {
            "WAREHOUSE_URL": demo_url,
            "ACCESS_FILE": str(access),
            "MIN_GROUP_SIZE": "2",
            "SMTP_URL": smtp.url,
            "APP_DB_URL": app_db_url,
            "PUBLIC_URL": PUBLIC,
            "MAIL_FROM": "digests@leadline.test",
        }.items():
            monkeypatch.setenv(f"LEADLINE_{name}", value)
        app_db = open_app_db(app_db_url)
        # Now, so the page opened by the deep link counts with the same as-of hour.
        yield Env(access, app_db, smtp, datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0))
        app_db.dispose()
