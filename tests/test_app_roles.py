"""Each role signed in through the app (AppTest.user): pages, filter choices, numbers equal to the CLI's.

The app runs with an [auth] section in its secrets and an access file, against a small
demo warehouse. Numbers are compared with ``leadline metrics --as-user`` for the same
user and period: the dashboard and the command line apply the same scope.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access.access_file import Identity, parse_access_file
from dashboard.access.viewer import ALL_PAGES, viewer_of
from dashboard.cli import main as cli
from dashboard.filters.sidebar import widget_key
from dashboard.ui.format import format_metric
from metrics.network_median import blended_median

pytestmark = pytest.mark.slow  # each case starts the app or a process
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PERIOD = {"from": "2000-01-01", "to": "2100-01-01"}
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "4f6d0c1e9a2b7c3d8e5f0a1b2c3d4e5f6a7b8c9d0e1f2a3b",
    "client_id": "leadline",
    "client_secret": "test",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ACCESS = """
contact = "Maria at leadline-admin@example.com"

[[grant]]
role = "brand"
domains = ["aurelia.example"]
brands = ["Aurelia"]
markets = ["IT"]

[[grant]]
role = "dealer_group"
emails = ["principal@lombardi.example"]
dealer_groups = ["G01"]

[[grant]]
role = "analyst"
idp_groups = ["moto-analysts"]
brands = ["Falco Moto", "Vento"]

[[grant]]
role = "admin"
emails = ["root@example.com"]
"""
# As an identity provider sends them: e-mail and domain grants need email_verified = true.
USERS: dict[str, dict[str, Any]] = {
    "brand": {"email": "marketing@aurelia.example", "email_verified": True},
    "dealer_group": {"email": "principal@lombardi.example", "email_verified": True},
    "analyst": {"email": "ana@example.org", "email_verified": True, "groups": ["moto-analysts"]},
    "admin": {"email": "root@example.com", "email_verified": True},
}


@pytest.fixture
def env(demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    monkeypatch.setenv("LEADLINE_MIN_GROUP_SIZE", "2")
    return demo_url


def run_app(user: dict[str, Any] | None, params: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    for key, value in (params or PERIOD).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.subheader] + [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def cli_leads(url: str, email: str, groups: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    args = [
        "metrics",
        "--warehouse",
        url,
        "--start",
        PERIOD["from"],
        "--end",
        PERIOD["to"],
        "--format",
        "json",
    ]
    args += ["--as-user", email, *(a for g in groups for a in ("--as-group", g))]
    assert cli(args) == 0, capsys.readouterr().err
    return int(json.loads(capsys.readouterr().out)[0]["leads"])


def dealer_names(url: str, group: str) -> list[str]:
    from sqlalchemy import text

    from loaders.warehouse.engine import make_engine

    engine = make_engine(url)  # read-only, as the app opens it (DuckDB wants one configuration)
    with engine.connect() as conn:
        query = text("SELECT dealer_name FROM dealers WHERE dealer_group_id = :g")
        names = [row[0] for row in conn.execute(query, {"g": group})]
    engine.dispose()
    return names


def test_nothing_but_the_sign_in_page_before_signing_in(env: str) -> None:
    at = run_app(None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and "Sign in" in texts(at)
    assert not at.sidebar.multiselect  # no filters, so no brand or dealer names either


def test_a_user_not_in_the_access_file_sees_no_data(env: str) -> None:
    at = run_app({"email": "stranger@example.org"})
    shown = texts(at)
    assert "No access yet" in shown and "Maria at leadline-admin@example.com" in shown
    assert "stranger@example.org" in shown
    assert not at.metric and not at.sidebar.multiselect
    assert [b.label for b in at.button] == ["Sign out"]


@pytest.mark.parametrize(
    ("role", "brands"),
    [
        ("brand", ["Aurelia"]),
        ("analyst", ["Falco Moto", "Vento"]),
        ("admin", ["Aurelia", "Falco Moto", "Nordwind", "Vento"]),
    ],
)
def test_filter_choices_and_numbers_per_role(
    env: str, role: str, brands: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    user = USERS[role]
    at = run_app(user)
    assert sorted(at.sidebar.multiselect(key=widget_key("brand")).options) == brands
    shown = {m.label: m.value for m in at.metric}
    assert shown["Leads"] == f"{cli_leads(env, user['email'], user.get('groups', []), capsys):,}"
    assert "Demo mode" not in texts(at)
    assert "Sign out" in [b.label for b in at.sidebar.button]


def test_a_dealer_principal_sees_their_dealers_and_the_network_median(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    user = USERS["dealer_group"]
    at = run_app(user)
    assert at.sidebar.multiselect(key=widget_key("dealer_group_id")).options == ["Gruppo Motori Lombardi"]
    own_dealers = set(dealer_names(env, "G01"))
    offered = at.sidebar.multiselect(key=widget_key("dealer_id")).options
    assert offered and set(offered) <= own_dealers
    shown = {m.label: m.value for m in at.metric}
    assert shown["Leads"] == f"{cli_leads(env, user['email'], [], capsys):,}"
    assert "Compared with the network" in texts(at)
    table = next(df.value for df in at.dataframe if "Network median" in df.value.columns)
    shown_median = dict(zip(table["Metric"], table["Network median"], strict=True))["Follow-up rate"]
    assert shown_median == format_metric("follow_up_rate", cli_peer_median(env, user["email"], capsys))


def cli_peer_median(url: str, email: str, capsys: pytest.CaptureFixture[str]) -> float:
    """The median follow-up rate of the other dealers of the principal's brands, from the CLI's tables."""
    # K = 2 as configured (with --as-user, K can only be raised); the period spans every lead,
    # so the principal's whole-block period is the same lead set.
    period = ["--start", PERIOD["from"], "--end", PERIOD["to"], "--format", "json", "--min-group-size", "2"]
    assert cli(["metrics", "--warehouse", url, *period, "--by", "brand", "--as-user", email]) == 0
    brands = [row["brand"] for row in json.loads(capsys.readouterr().out)]
    brand_filters = [a for b in brands for a in ("--filter", f"brand={b}")]
    assert (
        cli(["metrics", "--warehouse", url, *period, "--by", "dealer_group_id,dealer_id", *brand_filters])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    rates = [r["follow_up_rate"] for r in rows if r["dealer_group_id"] != "G01" and r["leads"] >= 2]
    assert len(rates) >= 5  # the median needs at least 5 other dealers
    return blended_median(rates)  # with an odd count, the mean of the three middle figures


def test_a_brand_marketer_sees_no_network_median(env: str) -> None:
    assert "Compared with the network" not in texts(run_app(USERS["brand"]))


def test_a_shared_link_beyond_the_scope_shows_only_the_viewers_part_with_a_notice(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    user = USERS["brand"]
    at = run_app(user, {**PERIOD, "brand": ["Aurelia", "Nordwind"], "group": "G03"})
    shown = texts(at)
    assert "'Nordwind': unknown or outside your access" in shown
    assert "'G03': unknown or outside your access" in shown
    # Left with brand Aurelia only, which is the whole of their scope: the same numbers as the CLI.
    assert {m.label: m.value for m in at.metric}["Leads"] == f"{cli_leads(env, user['email'], [], capsys):,}"


@pytest.mark.parametrize(
    ("role", "lacks"),
    [
        ("brand", {"settings", "data-quality", "import"}),
        ("dealer_group", {"campaigns", "settings", "data-quality", "import"}),
        ("analyst", {"settings", "import"}),
        ("admin", set()),
    ],
)
def test_pages_per_role(role: str, lacks: set[str]) -> None:
    user = USERS[role]
    parsed = parse_access_file(ACCESS)
    who = parsed.identity(user)
    viewer = viewer_of(parsed.access_for(who), who)
    assert set(ALL_PAGES) - set(viewer.pages) == lacks & set(ALL_PAGES)
    assert viewer.role == role
    assert Identity(user["email"]) == Identity(who.email)


def test_the_settings_view_is_for_admins_only(env: str) -> None:
    settings_page = str(ROOT / "pages" / "settings.py")
    admin = run_app(USERS["admin"])
    admin.switch_page(settings_page)
    admin.run()
    shown = texts(admin)
    assert "Settings in effect" in shown and "OpenID Connect sign-in" in shown
    grants = next(df.value for df in admin.dataframe if "grant" in df.value.columns)
    assert sorted(grants["role"]) == ["admin", "analyst", "brand", "dealer_group"]
    assert "4f6d0c1e" not in shown  # no secret is ever shown

    brand = run_app(USERS["brand"])
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not offered to them
        brand.switch_page(settings_page)


def test_non_admin_periods_are_whole_blocks_and_admin_periods_are_as_asked(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Overlapping-period differencing (docs/privacy.md, section 3): a principal's period is widened."""
    from datetime import UTC, date, datetime, timedelta

    today = datetime.now(UTC).date()
    start = today - timedelta(days=40)
    start += timedelta(days=(2 - start.weekday()) % 7)  # a Wednesday: never a block's first day
    asked = {"from": start.isoformat(), "to": (start + timedelta(days=8)).isoformat()}

    principal = run_app(USERS["dealer_group"], asked)
    note = next(c.value for c in principal.sidebar.caption if "periods are whole weeks" in c.value)
    shown_from = datetime.strptime(note.split("Showing ")[1].split(" to ")[0], "%d %b %Y").date()
    assert shown_from.weekday() == 0 and shown_from < start  # widened back to a Monday
    leads = {m.label: m.value for m in principal.metric}["Leads"]
    email = USERS["dealer_group"]["email"]
    args = ["metrics", "--warehouse", env, "--start", asked["from"], "--end", asked["to"], "--format", "json"]
    assert cli([*args, "--as-user", email]) == 0  # the CLI on the user's behalf widens it alike
    assert leads == f"{int(json.loads(capsys.readouterr().out)[0]['leads']):,}"

    admin = run_app(USERS["admin"], asked)
    assert not any("periods are whole weeks" in c.value for c in admin.sidebar.caption)
    assert f"{date.fromisoformat(asked['from']):%-d %b}" in texts(admin)  # as asked
