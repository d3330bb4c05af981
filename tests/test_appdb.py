"""The application database on SQLite and PostgreSQL: created and migrated on open, and a send
claimed exactly once per subscription and period, also by two runs at once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from common.errors import SettingsError
from loaders.appdb import store
from loaders.appdb.schema import LATEST_VERSION, open_app_db
from tests.conftest import PG_SERVER

NOW = datetime(2026, 11, 23, 8, 5)


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = open_app_db(f"sqlite:///{tmp_path / 'app.sqlite'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("pg_available")
    schema = f"app_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_app_db(f"{PG_SERVER}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def subscription(app_db: Engine) -> int:
    return store.add_subscription(
        app_db,
        email="a@b.example",
        created_by="a@b.example",
        page="overview",
        params={"market": ["IT"]},
        window="7d",
        frequency="weekly",
        weekday=0,
        hour=8,
        tz="UTC",
        created_at=NOW,
    )


def test_open_creates_every_table_and_reopening_keeps_the_rows(app_db: Engine) -> None:
    tables = set(inspect(app_db).get_table_names())
    assert {"subscriptions", "send_log", "alert_rules", "alert_state", "leadline_schema_version"} <= tables
    with app_db.connect() as conn:
        assert conn.execute(text("SELECT version FROM leadline_schema_version")).scalar() == LATEST_VERSION
    sub = subscription(app_db)
    again = open_app_db(app_db.url.render_as_string(hide_password=False))
    assert [s.id for s in store.list_subscriptions(again)] == [sub]
    assert store.list_subscriptions(again)[0].params == {"market": ["IT"]}
    again.dispose()


def test_a_send_is_claimed_once_per_period_and_a_failed_one_again(app_db: Engine) -> None:
    sub = subscription(app_db)
    assert store.claim_send(app_db, sub, "2026-11-23T08", NOW)
    assert not store.claim_send(app_db, sub, "2026-11-23T08", NOW)  # being sent
    store.finish_send(app_db, sub, "2026-11-23T08", "failed", "SMTP down", NOW)
    assert store.claim_send(app_db, sub, "2026-11-23T08", NOW)  # retried
    store.finish_send(app_db, sub, "2026-11-23T08", "sent", "", NOW)
    assert not store.claim_send(app_db, sub, "2026-11-23T08", NOW)
    assert store.claim_send(app_db, sub, "2026-11-30T08", NOW)  # the next week is a new period
    rows = [(r["period_key"], r["status"], r["attempts"]) for r in store.send_log_rows(app_db)]
    assert rows == [("2026-11-23T08", "sent", 2), ("2026-11-30T08", "sending", 1)]


def test_two_runs_at_once_claim_a_send_only_once(app_db: Engine) -> None:
    sub = subscription(app_db)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim_send(app_db, sub, "2026-11-23T08", NOW))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_alert_changes_are_claimed_once_and_put_back_after_a_failed_mail(app_db: Engine) -> None:
    rule = store.add_alert_rule(
        app_db,
        email="a@b.example",
        created_by="a@b.example",
        kind="follow_up_below",
        threshold=0.8,
        window_days=7,
        params={},
        created_at=NOW,
    )
    started, _ = store.claim_alert_changes(app_db, rule, {"D1": "x"}, {}, NOW)
    assert started == {"D1": "x"}
    assert store.claim_alert_changes(app_db, rule, {"D1": "x"}, {}, NOW) == ({}, {})  # another run
    _, cleared = store.claim_alert_changes(app_db, rule, {}, {"D1": "x"}, NOW)
    assert cleared == {"D1": "x"} and store.firing_groups(app_db, rule) == {}
    store.undo_alert_changes(app_db, rule, {}, cleared, NOW)  # the clear e-mail failed
    assert store.firing_groups(app_db, rule) == {"D1": "x"}


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "not a SQLAlchemy URL"),
        ("duckdb:///x.duckdb", "apart from the warehouse"),
        ("nosuchdb://x/y", "No database driver"),
    ],
)
def test_an_unusable_app_db_url_says_what_to_fix(url: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        open_app_db(url)


def test_serve_refuses_to_start_with_an_unusable_app_db_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dashboard.cli import main as cli

    monkeypatch.delenv("LEADLINE_ACCESS_FILE", raising=False)
    monkeypatch.setenv("LEADLINE_APP_DB_URL", "duckdb:///warehouse.duckdb")
    assert cli(["serve", "--port", "9"]) == 2  # before the server would start
    assert "app_db_url names a DuckDB database" in capsys.readouterr().err


def test_a_send_left_by_a_run_that_died_is_taken_over_after_an_hour(app_db: Engine) -> None:
    sub = subscription(app_db)
    assert store.claim_send(app_db, sub, "2026-11-23T08", NOW)  # this run dies before finishing
    assert not store.claim_send(app_db, sub, "2026-11-23T08", NOW + store.STALE_CLAIM / 2)
    assert store.claim_send(app_db, sub, "2026-11-23T08", NOW + store.STALE_CLAIM * 2)
