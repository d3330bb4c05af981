"""Secrets in the warehouse URL never reach users or logs (issue 12, item 4).

Attack: a password given as a query parameter (``...?connect_timeout=2&password=...``) was shown
in full in the error box every signed-in user sees, on the Settings page, and in
``leadline metrics`` / ``leadline check`` messages, because ``redact`` only hid the user-info
part. Checked with PostgreSQL, DuckDB, Snowflake- and BigQuery-style URLs: ``redact`` and
``scrub`` directly, the real CLI against a PostgreSQL port nobody listens on, the app as a
signed-in non-admin (generic error with a reference) and as an admin (details, redacted), the
Settings rows, and the server log.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import main as cli
from dashboard.ui.settings_view import settings_rows
from loaders.warehouse.redaction import redact, scrub
from tests.test_app_pages import APP, texts
from tests.test_app_roles import ACCESS, AUTH

QUERY_SECRET = "Qu3ry-Secret-4711"
USER_SECRET = "Us3r-Secret-0815"
# PostgreSQL on a port nobody listens on, the password in the query string and in the user info.
PG_URL = f"postgresql+psycopg://leadline:{USER_SECRET}@127.0.0.1:1/warehouse?connect_timeout=2&password={QUERY_SECRET}"
URLS = {
    "postgresql": PG_URL,
    "duckdb": f"duckdb:///data/warehouse.duckdb?motherduck_token={QUERY_SECRET}&threads=2",
    "snowflake": (
        f"snowflake://analyst:{USER_SECRET}@acme-eu1/leads/public?warehouse=WH&role=READER"
        f"&token={QUERY_SECRET}&private_key_file_pwd={QUERY_SECRET}x"
    ),
    "bigquery": f"bigquery://acme-project/leads?credentials_base64={QUERY_SECRET}&location=EU",
    "azure": f"mssql+pyodbc://host/db?Authorization=Bearer%20{QUERY_SECRET}&api_key={QUERY_SECRET}&sas=1",
}


@pytest.mark.parametrize("kind", list(URLS))
def test_redact_hides_user_info_and_credential_query_parameters(kind: str) -> None:
    shown = redact(URLS[kind])
    assert QUERY_SECRET not in shown and USER_SECRET not in shown, shown
    assert "***" in shown
    # what an administrator needs to recognise the warehouse stays
    assert {
        "postgresql": "127.0.0.1:1/warehouse",
        "duckdb": "warehouse.duckdb",
        "snowflake": "acme-eu1",
        "bigquery": "acme-project",
        "azure": "host/db",
    }[kind] in shown
    assert ("threads=2" in shown) is (kind == "duckdb") and ("role=READER" in shown) is (kind == "snowflake")


def test_scrub_takes_secrets_out_of_driver_messages() -> None:
    message = (
        f'connection failed: host=127.0.0.1 password={QUERY_SECRET} sslpassword="{USER_SECRET}" '
        f"postgresql://leadline:{USER_SECRET}@db/x echoed {QUERY_SECRET}"
    )
    cleaned = scrub(message, PG_URL)
    assert QUERY_SECRET not in cleaned and USER_SECRET not in cleaned, cleaned
    assert "host=127.0.0.1" in cleaned


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--warehouse", PG_URL],
        ["metrics", "--warehouse", PG_URL, "--start", "2025-01-01", "--end", "2025-01-31"],
        ["refresh", "--warehouse", PG_URL],
    ],
    ids=["check", "metrics", "refresh"],
)
def test_the_cli_never_prints_a_query_parameter_password(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(args)
    said = capsys.readouterr()
    assert code != 0
    assert "127.0.0.1:1/warehouse" in said.err  # the administrator still learns which warehouse
    assert QUERY_SECRET not in said.out + said.err and USER_SECRET not in said.out + said.err, said.err


def test_the_settings_page_rows_hide_a_query_parameter_password() -> None:
    rows = settings_rows({"LEADLINE_WAREHOUSE_URL": PG_URL})
    value = rows.filter(rows["setting"] == "warehouse_url")["value"][0]
    assert QUERY_SECRET not in value and USER_SECRET not in value
    assert "password=***" in value


def _run(user: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", PG_URL)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email_verified": True, **user}
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_a_non_admin_sees_a_generic_warehouse_error_with_a_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    at = _run({"email": "principal@lombardi.example"}, tmp_path, monkeypatch)
    shown = texts(at)
    assert at.error and "reference E-" in at.error[0].value, shown
    assert "127.0.0.1" not in shown and "warehouse?" not in shown and "psycopg" not in shown
    assert QUERY_SECRET not in shown and USER_SECRET not in shown
    reference = at.error[0].value.split("reference ")[1][:10]
    logged = caplog.text
    assert reference in logged and "127.0.0.1:1/warehouse" in logged  # the details stay in the log
    assert QUERY_SECRET not in logged and USER_SECRET not in logged


@pytest.mark.slow
def test_an_admin_sees_the_details_without_any_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _run({"email": "root@example.com"}, tmp_path, monkeypatch)
    shown = texts(at)
    assert at.error and "127.0.0.1:1/warehouse" in at.error[0].value and "Reference E-" in at.error[0].value
    assert QUERY_SECRET not in shown and USER_SECRET not in shown, shown
