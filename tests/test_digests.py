"""Digests end to end: subscriptions in the application database, `leadline digests send-due`,
a real SMTP server on localhost, and the numbers compared with the page the deep link opens.

The recipients are people of an access file over a small demo warehouse; the mail server is
aiosmtpd on a free port (tests/mail_helpers.py). Nothing leaves this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard.digests.specs import DIGEST_SPECS
from loaders.appdb import store
from tests.digest_helpers import ACCESS, AUTH, PRINCIPAL, PUBLIC, Env, mail_env
from tests.mail_helpers import Received

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def env(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with mail_env(demo_url, tmp_path, monkeypatch) as environment:
        yield environment


def tile_values(plain: str, labels: list[str]) -> dict[str, str]:
    """'Follow-up rate: 87.3 % (+1.2 pts; Target ...)' -> {label: '87.3 %'} for the given labels."""
    found = {}
    for line in plain.splitlines():
        for label in labels:
            if line.startswith(f"{label}: "):
                found[label] = line[len(label) + 2 :].split(" (")[0]
    return found


ADMIN = "root@example.com"  # admins see exact periods (no whole-week guard)


def open_link(link: str, user: dict[str, object]) -> AppTest:
    """Run the app as ``user`` on the page and query string of a digest's deep link."""
    parts = urlsplit(link)
    page = parts.path.rsplit("/", 1)[1]
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, **user}
    for key, values in parse_qs(parts.query).items():
        at.query_params[key] = values if len(values) > 1 else values[0]
    at.run()
    if page != "overview":
        at.switch_page(str(ROOT / "pages" / f"{page.replace('-', '_')}.py"))
        at.run()
    assert not at.exception, at.exception
    return at


def test_send_due_delivers_one_digest_and_a_rerun_sends_nothing(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    # An administrator's digest: whole-week periods for other roles would leave this small demo no chart.
    env.subscribe(ADMIN, params={"compare": ["previous"]})
    code, out = env.send_due(capsys)
    assert code == 0, out
    assert len(env.smtp.received) == 1, out
    mail: Received = env.smtp.received[0]
    assert mail.rcpt_tos == [ADMIN]
    assert mail.message["To"] == ADMIN and mail.message["From"] == "digests@leadline.test"
    start = (env.now - timedelta(days=7)).date().isoformat()
    end = (env.now - timedelta(days=1)).date().isoformat()
    assert mail.message["Subject"] == f"Leadline weekly digest: Overview, {start} to {end}"
    plain, html = mail.part("text/plain"), mail.part("text/html")
    link = f"{PUBLIC}/overview?from={start}&to={end}"
    assert f"Open this view: {link}" in plain and link.replace("&", "&amp;") in html
    assert "Follow-up rate:" in plain and "Follow-up rate" in html
    # kaleido renders the chart here with the system Chromium; without it the digest says so instead
    assert mail.images() and mail.images()[0].startswith(b"\x89PNG"), plain

    code, out = env.send_due(capsys)
    code2, out2 = env.send_due(capsys, env.now + timedelta(minutes=5))
    assert (code, code2) == (0, 0) and len(env.smtp.received) == 1, out + out2
    assert [r["status"] for r in store.send_log_rows(env.app_db)] == ["sent"]


@pytest.mark.parametrize("page", list(DIGEST_SPECS))
def test_digest_numbers_equal_the_page_its_link_opens(
    env: Env, capsys: pytest.CaptureFixture[str], page: str
) -> None:
    brand_user = "marketing@aurelia.example"  # brand users may open every data page
    params = (
        {"by": ["dealer_group_id"]}
        if page == "overview"
        else {"per": ["source"]}
        if page == "campaigns"
        else {}
    )
    env.subscribe(brand_user, page=page, params=params, window="30d")
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    plain = env.smtp.received[0].part("text/plain")
    link = next(line.split(": ", 1)[1] for line in plain.splitlines() if line.startswith("Open this view: "))
    assert link.startswith(f"{PUBLIC}/{page}?")
    at = open_link(link, {"email": brand_user, "email_verified": True})
    page_tiles = {m.label: str(m.value) for m in at.metric}
    labels = [label for label in page_tiles if f"\n{label}: " in plain]
    assert len(labels) == len(DIGEST_SPECS[page].kpis), (page_tiles, plain)
    assert tile_values(plain, labels) == {label: page_tiles[label] for label in labels}
    for m in at.metric:
        if m.delta and m.label in labels:
            assert f"{m.label}: {page_tiles[m.label]} ({m.delta}" in plain


def test_each_digest_shows_the_kpis_of_its_page() -> None:
    import ast

    from dashboard.ui import page_tiles

    for spec in DIGEST_SPECS.values():
        source = (ROOT / "pages" / f"{spec.page.replace('-', '_')}.py").read_text()
        tree = ast.parse(source)
        found = None
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "KPIS" for t in node.targets
            ):
                found = (
                    getattr(page_tiles, node.value.id)  # the list pages and digests share
                    if isinstance(node.value, ast.Name)
                    else ast.literal_eval(node.value)
                )
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "kpi_row"
                and isinstance(node.args[0], ast.Tuple)
            ):
                found = ast.literal_eval(node.args[0])
        assert found == spec.kpis, spec.page


def test_a_recipient_who_lost_access_gets_nothing(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.subscribe(PRINCIPAL)
    env.access.write_text(
        ACCESS.replace('emails = ["principal@lombardi.example"]', 'emails = ["someone@else.example"]')
    )
    code, out = env.send_due(capsys)
    assert code == 0 and env.smtp.received == [], out
    assert "skipped subscription" in out and "does not let principal@lombardi.example" in out
    assert [r["status"] for r in store.send_log_rows(env.app_db)] == ["skipped"]


def test_filters_outside_the_recipients_access_are_dropped_not_shown(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    # A brand user's subscription carrying a dealer group of another brand: the digest leaves it out.
    env.subscribe("marketing@aurelia.example", params={"brand": ["Vento"], "by": ["brand"]})
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    plain = env.smtp.received[0].part("text/plain")
    assert "Left out of this view: brand 'Vento': unknown or outside your access" in plain
    table = plain.split("By brand", 1)[1].split("Note:", 1)[0]
    assert "Aurelia" in table and "Vento" not in table


def test_a_failing_mail_server_is_retried_on_the_next_run_without_stopping_the_others(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env.subscribe(PRINCIPAL)
    env.subscribe("marketing@aurelia.example")
    monkeypatch.setenv("LEADLINE_SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    code, out = env.send_due(capsys)
    assert code == 1 and "failed subscription 1" in out and "failed subscription 2" in out
    assert {r["status"] for r in store.send_log_rows(env.app_db)} == {"failed"}
    monkeypatch.setenv("LEADLINE_SMTP_URL", env.smtp.url)
    code, out = env.send_due(capsys)
    assert code == 0, out
    assert sorted(r.rcpt_tos[0] for r in env.smtp.received) == ["marketing@aurelia.example", PRINCIPAL]
    assert [(r["status"], r["attempts"]) for r in store.send_log_rows(env.app_db)] == [
        ("sent", 2),
        ("sent", 2),
    ]


def test_a_paused_subscription_and_one_created_after_the_slot_send_nothing(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    paused = env.subscribe(PRINCIPAL)
    store.set_paused(env.app_db, "subscriptions", paused, True)
    store.add_subscription(
        env.app_db,
        email=PRINCIPAL,
        created_by=PRINCIPAL,
        page="overview",
        params={},
        window="7d",
        frequency="weekly",
        weekday=env.now.weekday(),
        hour=0,
        tz="UTC",
        created_at=env.now,
    )
    code, out = env.send_due(capsys)
    assert code == 0 and env.smtp.received == [], out


def test_digest_names_no_salesperson_and_no_dealer_outside_the_scope(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.subscribe(PRINCIPAL, page="follow-up", window="30d")
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    mail = env.smtp.received[0]
    body = mail.part("text/plain") + mail.part("text/html")
    from loaders.warehouse.engine import make_engine

    engine = make_engine(str(__import__("os").environ["LEADLINE_WAREHOUSE_URL"]))
    with engine.connect() as conn:
        others = [
            r[0] for r in conn.execute(text("SELECT dealer_name FROM dealers WHERE dealer_group_id <> 'G01'"))
        ]
        mine = [
            r[0] for r in conn.execute(text("SELECT dealer_name FROM dealers WHERE dealer_group_id = 'G01'"))
        ]
        actors = [
            r[0]
            for r in conn.execute(
                text("SELECT DISTINCT actor_key FROM lead_activities WHERE actor_key IS NOT NULL")
            )
        ]
    engine.dispose()
    assert any(name in body for name in mine)
    assert not [name for name in others if name in body]
    assert actors and not [key for key in actors if str(key) in body]


def test_without_a_chart_renderer_the_digest_goes_out_and_says_so(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.digests.render import NO_CHART

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")  # kaleido finds no browser to render with
    env.subscribe(ADMIN)
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    mail = env.smtp.received[0]
    assert mail.images() == []
    assert NO_CHART in mail.part("text/plain") and NO_CHART in mail.part("text/html")
    assert "Follow-up rate:" in mail.part("text/plain")


def test_send_due_with_the_application_database_on_postgresql(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pg_available: None
) -> None:
    import uuid

    from sqlalchemy import create_engine

    from loaders.appdb.schema import open_app_db
    from tests.conftest import PG_SERVER

    schema = f"app_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    try:
        monkeypatch.setenv("LEADLINE_APP_DB_URL", url)
        env.app_db = open_app_db(url)
        env.subscribe(PRINCIPAL)
        code, out = env.send_due(capsys)
        code2, out2 = env.send_due(capsys)
        assert (code, code2) == (0, 0) and len(env.smtp.received) == 1, out + out2
        assert [r["status"] for r in store.send_log_rows(env.app_db)] == ["sent"]
        env.app_db.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_send_due_is_quiet_on_stderr_for_cron(env: Env) -> None:
    import os
    import subprocess
    import sys

    env.subscribe(PRINCIPAL)
    command = [sys.executable, "-m", "dashboard.cli", "digests", "send-due", "--now", env.now.isoformat()]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300, env=dict(os.environ), cwd=ROOT)
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, env=dict(os.environ), cwd=ROOT)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert first.stderr == again.stderr == ""  # cron mails anything on stderr
    assert "1 digest(s) sent" in first.stdout and "0 digest(s) sent" in again.stdout
    assert len(env.smtp.received) == 1
