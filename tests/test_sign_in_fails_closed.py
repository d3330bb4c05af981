"""Sign-in never fails open (issue 12, item 5).

Attacks that used to succeed: an ``[auth]`` section whose keys are all commented out started
demo mode (everyone sees everything); the docs' own cookie-secret placeholder and patterned
secrets were accepted; a missing ``email_verified`` claim or the string "false" counted as
verified; ``mallory@evil.example@aurelia.example`` matched the grant ``domains = ["aurelia.example"]``.
Each is checked on the functions, on the app (AppTest with ID-token claims) and on a real
``leadline serve``; tests/browser/test_e2e_signin.py signs the same identities in through a
real OpenID Connect provider.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from common.errors import SettingsError
from dashboard.access.access_file import AccessFileError, parse_access_file
from dashboard.access.auth_config import cookie_secret_problem, load_auth_config
from tests.test_app_pages import APP, texts
from tests.test_app_roles import ACCESS, AUTH
from tests.test_serve_auth import PROVIDER, serve

ISSUER = "https://login.microsoftonline.com/tenant-id/v2.0"


def test_an_empty_auth_section_is_not_demo_mode() -> None:
    with pytest.raises(SettingsError) as stopped:
        load_auth_config({})
    said = stopped.value.describe()
    assert "redirect_uri is missing" in said and "cookie_secret is missing" in said
    assert "names no identity provider" in said
    with pytest.raises(SettingsError, match="must be a table"):
        load_auth_config("")
    assert load_auth_config(None) is None  # no [auth] at all: demo mode


@pytest.mark.slow
def test_serve_stops_on_a_commented_out_auth_section(tmp_path: Path) -> None:
    commented = (
        "[auth]\n"
        '# redirect_uri = "https://leadline.example.com/oauth2callback"\n'
        '# cookie_secret = "..."\n'
        "# " + PROVIDER.replace("\n", "\n# ")
    )
    result = serve(tmp_path, commented, None)
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "redirect_uri is missing" in said and "cookie_secret is missing" in said
    assert "Demo mode" not in said


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("<output of: python -c 'import secrets; print(secrets.token_hex(32))'>", "placeholder"),
        ("0123456789" * 4, "too weak"),
        ("CHANGE-ME-to-a-long-random-value-please", "placeholder"),
        ("an-example-cookie-secret-for-the-docs-0001", "placeholder"),
        ("abcdefgh" * 6, "too weak"),
        ("deadbeef" + secrets.token_hex(8) + "deadbeef", "too weak"),  # a repeat inside
        ("0" * 31 + "1", "too weak"),
        (secrets.token_hex(12), "too weak"),  # 96 bits
    ],
)
def test_weak_or_placeholder_cookie_secrets_are_refused(secret: str, problem: str) -> None:
    said = cookie_secret_problem(secret)
    assert said is not None and problem in said


def test_generated_cookie_secrets_are_accepted() -> None:
    for _ in range(200):
        for secret in (secrets.token_hex(32), secrets.token_hex(16), secrets.token_urlsafe(32)):
            assert cookie_secret_problem(secret) is None, secret


GRANTS = """
trust_email_without_verified_claim = ["https://login.microsoftonline.com/tenant-id/v2.0/"]

[[grant]]
role = "brand"
domains = ["aurelia.example"]
brands = ["Aurelia"]

[[grant]]
role = "admin"
emails = ["root@example.com"]
"""


@pytest.mark.parametrize(
    ("claims", "matched"),
    [
        ({"email": "marketing@aurelia.example", "email_verified": True}, True),
        ({"email": "marketing@aurelia.example"}, False),  # no claim, untrusted provider
        ({"email": "marketing@aurelia.example", "email_verified": "false"}, False),
        ({"email": "marketing@aurelia.example", "email_verified": "true"}, False),  # not the boolean
        ({"email": "marketing@aurelia.example", "email_verified": 1}, False),
        ({"email": "mallory@evil.example@aurelia.example", "email_verified": True}, False),
        ({"email": "mallory@@aurelia.example", "email_verified": True}, False),
        ({"email": "mallory @aurelia.example", "email_verified": True}, False),
        ({"email": "root@example.com", "email_verified": None}, False),
        # the documented per-provider setting: trust an issuer that never sends the claim
        ({"email": "marketing@aurelia.example", "iss": ISSUER}, True),
        ({"email": "marketing@aurelia.example", "iss": ISSUER, "email_verified": False}, False),
        ({"email": "marketing@aurelia.example", "iss": "https://other.example"}, False),
    ],
)
def test_only_a_verified_well_formed_address_matches_email_and_domain_grants(
    claims: dict[str, Any], matched: bool
) -> None:
    parsed = parse_access_file(GRANTS)
    assert parsed.access_for(parsed.identity(claims)).has_access is matched


def test_without_the_setting_no_provider_is_trusted_and_the_setting_is_checked() -> None:
    parsed = parse_access_file(GRANTS.split("\n", 2)[2])
    assert not parsed.access_for(parsed.identity({"email": "marketing@aurelia.example", "iss": ISSUER})).has_access
    with pytest.raises(AccessFileError, match="issuer URLs"):
        parse_access_file('trust_email_without_verified_claim = ["microsoft"]\n' + GRANTS.split("\n", 2)[2])
    with pytest.raises(AccessFileError, match="not a well-formed address"):
        parse_access_file('[[grant]]\nrole = "admin"\nemails = ["a@b.example@c.example"]\n')


@pytest.mark.slow
@pytest.mark.parametrize(
    "claims",
    [
        {"email": "marketing@aurelia.example"},
        {"email": "marketing@aurelia.example", "email_verified": "false"},
        {"email": "mallory@evil.example@aurelia.example", "email_verified": True},
    ],
    ids=["no-claim", "string-false", "two-ats"],
)
def test_the_app_shows_no_data_to_an_unverified_or_malformed_identity(
    claims: dict[str, Any], demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = tmp_path / "access.toml"
    access.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    monkeypatch.setenv("LEADLINE_ACCESS_FILE", str(access))
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, **claims}
    at.run()
    assert not at.exception
    assert "No access yet" in texts(at)
    assert not at.metric
    assert "evil.example" not in texts(at)  # a malformed address is not echoed either
