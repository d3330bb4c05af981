"""Alert rules end to end: evaluated by `leadline digests send-due`, one e-mail when an alert starts,
one when it clears, none in between; the kinds table and docs/alerts.md in step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from dashboard.digests.alert_kinds import ALERT_KINDS
from loaders.appdb import store
from loaders.appdb.schema import alert_rules
from loaders.warehouse.engine import make_engine
from tests.digest_helpers import PRINCIPAL, Env, mail_env
from tests.metric_fixtures import Fixture, contact, lead

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parent.parent / "docs" / "alerts.md"


@pytest.fixture
def env(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with mail_env(demo_url, tmp_path, monkeypatch) as environment:
        yield environment


def add_rule(env: Env, kind: str, threshold: float, window_days: int = 30, email: str = PRINCIPAL) -> int:
    return store.add_alert_rule(
        env.app_db,
        email=email,
        created_by=email,
        kind=kind,
        threshold=threshold,
        window_days=window_days,
        params={},
        created_at=env.now - timedelta(days=1),
    )


def set_threshold(env: Env, rule_id: int, threshold: float) -> None:
    with env.app_db.begin() as conn:
        conn.execute(update(alert_rules).where(alert_rules.c.id == rule_id).values(threshold=threshold))


def test_an_alert_fires_once_and_clears_once(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rule = add_rule(env, "follow_up_below", 1.01)  # every dealer is below 101 %
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    fired = env.smtp.received[0]
    assert fired.rcpt_tos == [PRINCIPAL]
    assert fired.message["Subject"].startswith(
        "Leadline alert started: Follow-up rate of a dealer below a threshold"
    )
    plain = fired.part("text/plain")
    assert "below 101.0 %" in plain and "Open: http://leadline.test/base/follow-up?" in plain
    assert "dealer=" in plain and "Started (breaching now)" in fired.part("text/html")
    firing = store.firing_groups(env.app_db, rule)
    assert firing and all(key.startswith("D") for key in firing)

    for minutes in (5, 10):  # still breaching: nothing more
        code, out = env.send_due(capsys, env.now + timedelta(minutes=minutes))
        assert code == 0 and len(env.smtp.received) == 1, out

    set_threshold(env, rule, 0.0)  # nobody is below 0 %: the alert clears
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 2, out
    cleared = env.smtp.received[1]
    assert cleared.message["Subject"].startswith("Leadline alert cleared:")
    assert "no longer breaching" in cleared.part("text/plain")
    assert store.firing_groups(env.app_db, rule) == {}
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 2, out


def test_an_alert_whose_mail_failed_is_announced_on_the_next_run(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rule(env, "cost_per_sale_above", 0.01, email="marketing@aurelia.example")
    monkeypatch.setenv("LEADLINE_SMTP_URL", "smtp://127.0.0.1:9")
    code, out = env.send_due(capsys)
    assert code == 1 and "failed alert rule 1" in out
    monkeypatch.setenv("LEADLINE_SMTP_URL", env.smtp.url)
    code, out = env.send_due(capsys)
    assert code == 0 and len(env.smtp.received) == 1, out
    assert "Cost per sale of a campaign" in env.smtp.received[0].message["Subject"]


def test_an_alert_for_someone_without_access_sends_nothing(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    add_rule(env, "follow_up_below", 1.01, email="stranger@nowhere.example")
    code, out = env.send_due(capsys)
    assert code == 0 and env.smtp.received == [] and "skipped alert rule 1" in out


@pytest.mark.parametrize(
    ("kind", "row", "threshold", "fires"),
    [
        ("follow_up_below", {"follow_up_rate": 0.79}, 0.8, True),
        ("follow_up_below", {"follow_up_rate": 0.8}, 0.8, False),
        ("follow_up_below", {"follow_up_rate": None}, 0.8, False),
        ("delivery_break", {"leads": 6, "undelivered": 6}, 5, True),
        ("delivery_break", {"leads": 6, "undelivered": 5}, 5, False),
        ("delivery_break", {"leads": 4, "undelivered": 4}, 5, False),
        ("cost_per_sale_above", {"cost_per_sale": 1600.0}, 1500, True),
        ("cost_per_sale_above", {"cost_per_sale": None}, 1500, False),
    ],
)
def test_each_kind_breaches_as_documented(
    kind: str, row: dict[str, object], threshold: float, fires: bool
) -> None:
    assert ALERT_KINDS[kind].breaches(row, threshold) is fires


def test_docs_state_every_kind_and_its_meaning() -> None:
    doc = DOCS.read_text()
    for kind in ALERT_KINDS.values():
        assert f"`{kind.key}`" in doc and kind.meaning in doc, kind.key


def test_the_waiting_now_kind_is_offered() -> None:
    assert ALERT_KINDS["waiting_over_business_day"].available


def _backlog_url(tmp_path: Path, now: datetime) -> str:
    """A warehouse where dealer d1 has 6 leads of 3 days ago nobody contacted (a business day and
    more in any week: default hours) and d2 has 6 leads contacted at once."""
    url = f"duckdb:///{tmp_path / 'backlog.duckdb'}"
    engine = make_engine(url, read_only=False)
    arrived = now - timedelta(days=3)
    backlog = [lead(f"w{i}", arrived) for i in range(6)]
    handled = [lead(f"h{i}", arrived, dealer_id="d2") for i in range(6)]
    Fixture(
        leads=backlog + handled, activities=[contact(row["lead_id"], arrived) for row in handled]
    ).write(engine)
    engine.dispose()
    return url


def test_a_waiting_leads_alert_fires_once_for_the_dealer_with_a_backlog_and_clears_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    with mail_env(_backlog_url(tmp_path, now), tmp_path, monkeypatch) as env:
        rule = add_rule(env, "waiting_over_business_day", 3, email="root@example.com")
        code, out = env.send_due(capsys)
        assert code == 0 and len(env.smtp.received) == 1, out
        plain = env.smtp.received[0].part("text/plain")
        assert "Leads waiting longer than a business day" in env.smtp.received[0].message["Subject"]
        assert "6 leads waiting now; 6 for a business day or more" in plain and "above 3 leads" in plain
        assert list(store.firing_groups(env.app_db, rule)) == ["d1"]  # d2 answered its leads
        code, out = env.send_due(capsys, env.now + timedelta(minutes=5))
        assert code == 0 and len(env.smtp.received) == 1, out  # still breaching: nothing more
        set_threshold(env, rule, 6)  # six is not more than six: the alert clears
        code, out = env.send_due(capsys)
        assert code == 0 and len(env.smtp.received) == 2, out
        assert str(env.smtp.received[1].message["Subject"]).strip().startswith("Leadline alert cleared:")


def test_the_follow_up_digest_says_how_many_leads_are_waiting_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)
    with mail_env(_backlog_url(tmp_path, now), tmp_path, monkeypatch) as env:
        env.subscribe("root@example.com", page="follow-up")
        code, out = env.send_due(capsys)
        assert code == 0 and len(env.smtp.received) == 1, out
        plain = env.smtp.received[0].part("text/plain")
        # The sentence of the page's "Waiting now" panel, over the same table.
        assert "Waiting now: 6 leads are waiting; 6 for a business day or more." in plain, plain
