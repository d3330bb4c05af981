"""End to end in Chromium: sign in through a real OpenID Connect provider, each user sees their scope.

`leadline serve` runs with an [auth] section pointing at a provider on localhost
(tests/browser/oidc.py) and an access file; a brand marketer, a dealer principal and an
analyst sign in like people do and see different numbers, each equal to
``leadline metrics --as-user`` for them. A tampered URL gets a notice, signing out lands
on the sign-in page, and a user the access file does not name sees no data.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import settle
from tests.browser.oidc import OidcProvider, TestUser, oidc_provider, sign_in, sign_out, write_secrets

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCESS = """
contact = "Maria at leadline-admin@example.com"

[[grant]]
role = "brand"
domains = ["aurelia.example"]
brands = ["Aurelia"]

[[grant]]
role = "dealer_group"
emails = ["principal@lombardi.example"]
dealer_groups = ["G01"]

[[grant]]
role = "analyst"
idp_groups = ["moto-analysts"]
brands = ["Falco Moto", "Vento"]
"""
BRAND = TestUser("marketing@aurelia.example", name="Bea Brand")
DEALER = TestUser("principal@lombardi.example", name="Dario Dealer")
ANALYST = TestUser("ana@analytics.example", groups=("moto-analysts",), name="Ana Analyst")
STRANGER = TestUser("stranger@elsewhere.example", groups=("nobody",))
# Issue 12 item 5: identities that used to match the aurelia.example domain grant, and must not.
UNVERIFIED = [
    TestUser("no-claim@aurelia.example", email_verified=None),
    TestUser("string-false@aurelia.example", email_verified="false"),
    TestUser("bool-false@aurelia.example", email_verified=False),
    TestUser("mallory@evil.example@aurelia.example"),
]
PERIOD = "from=2000-01-01&to=2100-01-01"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SignInServer:
    """`leadline serve` with sign-in, the provider it trusts, and its warehouse."""

    url: str
    provider: OidcProvider
    warehouse: str
    access_file: Path


@pytest.fixture(scope="module")
def signin_server(demo_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInServer]:
    from tests.browser.conftest import free_port, stop_server, wait_for_health

    home = tmp_path_factory.mktemp("signin")
    access = home / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    with oidc_provider([BRAND, DEALER, ANALYST, STRANGER, *UNVERIFIED]) as provider:
        port = free_port()
        write_secrets(home, provider.auth_section(port))  # read from the server's working directory
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADLINE_", "STREAMLIT_"))}
        env |= {"LEADLINE_ACCESS_FILE": str(access), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
        # The server runs outside the project folder (to read these secrets), so say where Leadline is.
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
            yield SignInServer(base, provider, demo_warehouse, access)
        finally:
            stop_server(process)


def signed_in(page: Any, server: SignInServer, user: TestUser, path: str = f"overview?{PERIOD}") -> None:
    """Open the app, sign in as ``user`` at the provider, then open ``path``."""
    page.goto(server.url)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    sign_in(page, server.provider, user.email)
    settle(page)
    page.goto(f"{server.url}/{path}")
    settle(page)


def tile_values(page: Any) -> dict[str, str]:
    values = {}
    for tile in page.locator('[data-testid="stMetric"]').all():
        label = tile.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        values[label] = tile.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return values


def drawn_tile_values(page: Any) -> dict[str, str]:
    """``tile_values`` once the KPI tiles are drawn: right after a page load the script may not
    have started yet, so "no run in progress" alone does not mean the tiles are there."""
    page.locator('[data-testid="stMetricLabel"]', has_text="Leads").first.wait_for(timeout=60_000)
    settle(page)
    return tile_values(page)


def cli_leads(server: SignInServer, user: TestUser, *filters: str) -> str:
    """Leads `leadline metrics --as-user` counts for ``user`` (and ``filters``), as the tile shows it."""
    from dashboard.cli import main

    args = ["metrics", "--warehouse", server.warehouse, "--start", "2000-01-01", "--end", "2100-01-01"]
    args += ["--format", "json", "--as-user", user.email]
    args += [a for g in user.groups for a in ("--as-group", g)]
    args += [a for f in filters for a in ("--filter", f)]
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setenv("LEADLINE_ACCESS_FILE", str(server.access_file))
        assert main(args) == 0
    return f"{json.loads(out.getvalue())[0]['leads']:,}"


def test_a_brand_marketer_sees_their_brand_and_signs_out(page: Any, signin_server: SignInServer) -> None:
    signed_in(page, signin_server, BRAND)
    tiles = drawn_tile_values(page)
    assert tiles["Leads"] == cli_leads(signin_server, BRAND)
    body = page.inner_text("body")
    assert "Demo mode" not in body and "Compared with the network" not in body
    sign_out(page, signin_server.provider)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert not tile_values(page)
    page.goto(f"{signin_server.url}/overview?{PERIOD}")  # the old link no longer shows anything
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert not tile_values(page)


def test_a_dealer_principal_sees_their_dealers_and_a_tampered_url_gets_a_notice(
    page: Any, signin_server: SignInServer
) -> None:
    signed_in(page, signin_server, DEALER)
    leads = drawn_tile_values(page)["Leads"]
    assert leads == cli_leads(signin_server, DEALER)
    assert leads != cli_leads(signin_server, BRAND)  # another scope, other numbers
    assert "Compared with the network" in page.inner_text("body")
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Overview" in nav and "Campaigns & ROI" not in nav

    page.goto(f"{signin_server.url}/overview?{PERIOD}&group=G03&group=G01")
    settle(page)
    assert "'G03': unknown or outside your access" in page.inner_text("body")
    assert "group=G03" not in page.url and "group=G01" in page.url
    assert drawn_tile_values(page)["Leads"] == cli_leads(signin_server, DEALER, "dealer_group_id=G01")

    page.goto(f"{signin_server.url}/campaigns?{PERIOD}")  # a page the role lacks
    settle(page)
    assert "Campaigns & ROI" not in page.get_by_test_id("stSidebarNav").inner_text()
    assert not page.locator("h1", has_text="Campaigns").count()
    page.goto(f"{signin_server.url}/settings")  # the administrators' page
    settle(page)
    assert "Settings in effect" not in page.inner_text("body")


def test_an_analyst_sees_their_brands(page: Any, signin_server: SignInServer) -> None:
    signed_in(page, signin_server, ANALYST)
    leads = drawn_tile_values(page)["Leads"]
    assert leads == cli_leads(signin_server, ANALYST)
    assert leads not in (cli_leads(signin_server, BRAND), cli_leads(signin_server, DEALER))


def test_a_user_not_in_the_access_file_sees_no_data(page: Any, signin_server: SignInServer) -> None:
    signed_in(page, signin_server, STRANGER)
    body = page.inner_text("body")
    assert "No access yet" in body and "Maria at leadline-admin@example.com" in body
    assert not tile_values(page)
    assert page.get_by_test_id("stSidebarNav").count() == 0


@pytest.mark.parametrize("user", UNVERIFIED, ids=lambda u: u.email)
def test_an_unverified_or_malformed_address_matches_no_domain_grant(
    page: Any, signin_server: SignInServer, user: TestUser
) -> None:
    """A real provider's ID token without email_verified = true, or with a second '@', gets no data."""
    signed_in(page, signin_server, user)
    body = page.inner_text("body")
    assert "No access yet" in body
    assert not tile_values(page)
    assert page.get_by_test_id("stSidebarNav").count() == 0
