"""Subscribing from a page and managing subscriptions, in the app (AppTest), signed in.

"E-mail me this view" stores the page, its filters and options (never dates) for the signed-in
user; only admins may name another recipient, and only one the access file grants; the
Subscriptions section lists a user's own, and every one for admins, with pause and delete.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.access.access_file import Identity, parse_access_file
from dashboard.access.viewer import DEMO_VIEWER, viewer_of
from dashboard.digests.recipients import NotGranted
from dashboard.digests.subscribe import NotAllowed, create_subscription
from loaders.appdb import store
from loaders.appdb.schema import open_app_db
from tests.digest_helpers import ACCESS, AUTH, PRINCIPAL

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
ADMIN = "root@example.com"


@pytest.fixture
def app_db(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    monkeypatch.setenv("LEADLINE_APP_DB_URL", url)
    engine = open_app_db(url)
    yield engine
    engine.dispose()


def run_app(email: str | None, params: dict[str, Any], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if email is not None:
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": True, "email": email, "email_verified": True}
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(str(ROOT / "pages" / page))
        at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest) -> AppTest:
    next(b for b in at.sidebar.button if b.label == "Subscribe").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_user_subscribes_to_the_view_they_look_at(app_db: Engine) -> None:
    at = run_app(PRINCIPAL, {"compare": "year", "by": "dealer_group_id"})
    assert [t.label for t in at.sidebar.text_input] == ["Time zone"]  # no "Send to": not an admin
    form = {s.label: s for s in at.sidebar.selectbox}
    form["Period"].set_value("last_week")
    form["Day"].set_value(0)
    form["Hour"].set_value(8)
    at.sidebar.text_input[0].set_value("Europe/Rome")
    submit(at)
    assert any("Subscribed principal@lombardi.example" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    (sub,) = store.list_subscriptions(app_db)
    assert (sub.email, sub.page, sub.window, sub.weekday, sub.hour, sub.tz) == (
        PRINCIPAL,
        "overview",
        "last_week",
        0,
        8,
        "Europe/Rome",
    )
    assert sub.params == {"by": ["dealer_group_id"], "compare": ["year"]}  # no dates: the window is relative


def test_an_admin_may_subscribe_others_but_only_addresses_the_access_file_grants(app_db: Engine) -> None:
    at = run_app(ADMIN, {})
    send_to = next(t for t in at.sidebar.text_input if t.label == "Send to")
    send_to.set_value("stranger@nowhere.example")
    submit(at)
    assert any("does not let stranger@nowhere.example" in e.value for e in at.error)
    assert store.list_subscriptions(app_db) == []
    send_to = next(t for t in at.sidebar.text_input if t.label == "Send to")
    send_to.set_value("Marketing@Aurelia.example")
    submit(at)
    assert [s.email for s in store.list_subscriptions(app_db)] == ["marketing@aurelia.example"]


def test_nobody_but_an_admin_subscribes_somebody_else(app_db: Engine) -> None:
    access_file = parse_access_file(ACCESS)
    principal = viewer_of(access_file.access_for(Identity(PRINCIPAL)), Identity(PRINCIPAL))
    fields: dict[str, Any] = {
        "page": "overview",
        "params": {},
        "window": "7d",
        "frequency": "weekly",
        "weekday": 0,
        "hour": 8,
        "tz": "UTC",
        "now": datetime(2026, 1, 1),
    }
    with pytest.raises(NotAllowed, match="Only an admin"):
        create_subscription(app_db, principal, PRINCIPAL, recipient="root@example.com", **fields)
    with pytest.raises(NotGranted):  # a dealer principal may not open Campaigns & ROI
        create_subscription(
            app_db, principal, PRINCIPAL, recipient=PRINCIPAL, **{**fields, "page": "campaigns"}
        )
    with pytest.raises(NotGranted):  # demo mode has no access file entry for anyone
        create_subscription(app_db, DEMO_VIEWER, None, recipient="x@nowhere.example", **fields)
    assert store.list_subscriptions(app_db) == []


def test_the_subscriptions_section_lists_own_for_users_and_all_for_admins(app_db: Engine) -> None:
    for email, page in ((PRINCIPAL, "overview"), ("marketing@aurelia.example", "campaigns")):
        store.add_subscription(
            app_db,
            email=email,
            created_by=email,
            page=page,
            params={"market": ["IT"]},
            window="7d",
            frequency="weekly",
            weekday=0,
            hour=8,
            tz="UTC",
            created_at=datetime(2026, 1, 1),
        )
    mine = run_app(PRINCIPAL, {}, "subscriptions.py")
    shown = "\n".join(m.value for m in mine.markdown)
    assert "Overview** to principal@lombardi.example" in shown and "aurelia" not in shown
    next(b for b in mine.button if b.label == "Pause").click()
    mine.run()
    assert [s.paused for s in store.list_subscriptions(app_db)] == [True, False]
    assert "paused" in "\n".join(m.value for m in mine.markdown)

    admin = run_app(ADMIN, {}, "subscriptions.py")
    shown = "\n".join(m.value for m in admin.markdown)
    assert "principal@lombardi.example" in shown and "marketing@aurelia.example" in shown
    [b for b in admin.button if b.label == "Delete"][1].click()
    admin.run()
    assert [s.email for s in store.list_subscriptions(app_db)] == [PRINCIPAL]


def test_demo_mode_offers_no_subscription(app_db: Engine) -> None:
    at = run_app(None, {})
    assert any("need sign-in" in c.value for c in at.sidebar.caption)
    assert not [b for b in at.sidebar.button if b.label == "Subscribe"]


@pytest.mark.parametrize("page", ["follow_up.py", "delivery.py", "close_reasons.py", "campaigns.py"])
def test_every_data_page_offers_e_mail_me_this_view(app_db: Engine, page: str) -> None:
    at = run_app("marketing@aurelia.example", {}, page)
    assert [b for b in at.sidebar.button if b.label == "Subscribe"]
    submit(at)
    (sub,) = store.list_subscriptions(app_db)
    assert sub.page == page.removesuffix(".py").replace("_", "-") and sub.email == "marketing@aurelia.example"


def test_a_user_adds_an_alert_rule_for_themselves(app_db: Engine) -> None:
    at = run_app(PRINCIPAL, {}, "subscriptions.py")
    assert [t.label for t in at.text_input] == []  # no "Send to": not an admin
    at.number_input[0].set_value(0.7)
    at.number_input[1].set_value(14)
    next(b for b in at.button if b.label == "Add rule").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (rule,) = store.list_alert_rules(app_db)
    assert (rule.email, rule.kind, rule.threshold, rule.window_days) == (PRINCIPAL, "follow_up_below", 0.7, 14)
    assert "Follow-up rate of a dealer below a threshold** below 70.0 %, last 14 days" in "\n".join(
        m.value for m in at.markdown
    )
