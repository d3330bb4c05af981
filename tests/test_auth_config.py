"""Is sign-in configured well enough to start? Demo mode without [auth], an error for a weak one."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from common.errors import SettingsError
from dashboard.access.auth_config import AuthConfig, auth_problems, cookie_secret_problem, load_auth_config

ROOT = Path(__file__).resolve().parent.parent
STRONG = "9f1c2e7a4b8d0f3e6a5c1b2d7e8f9a0b3c4d5e6f7a8b9c0d"
GOOD: dict[str, Any] = {
    "redirect_uri": "https://leadline.example.com/oauth2callback",
    "cookie_secret": STRONG,
    "client_id": "leadline",
    "client_secret": "s3cret",
    "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
}


def test_no_auth_section_is_demo_mode() -> None:
    assert load_auth_config(None) is None
    # An empty [auth] section (every key commented out) is not demo mode: see test_sign_in_fails_closed.py


def test_a_default_provider() -> None:
    assert load_auth_config(GOOD) == AuthConfig(("default",), GOOD["redirect_uri"])


def test_named_providers() -> None:
    provider = {k: GOOD[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    section = {
        "redirect_uri": GOOD["redirect_uri"],
        "cookie_secret": STRONG,
        "microsoft": provider,
        "okta": provider,
    }
    config = load_auth_config(section)
    assert config is not None and config.providers == ("microsoft", "okta")
    assert [config.label(p) for p in config.providers] == ["Microsoft", "Okta"]


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "missing"),
        ("", "missing"),
        ("xxx", "placeholder"),
        ("REPLACE-with-the-output-of-the-command-above-0123456789", "placeholder"),
        ("short-but-random-8f2a", "too weak"),
        ("a" * 64, "too weak"),
        (STRONG, None),
    ],
)
def test_cookie_secret_strength(secret: str | None, problem: str | None) -> None:
    found = cookie_secret_problem(secret)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found and "secrets.token_hex(32)" in found


def test_an_incomplete_section_lists_every_problem_and_never_falls_back_to_demo_mode() -> None:
    section = {"redirect_uri": "http://localhost:8501/", "cookie_secret": "xxx", "my_idp": {"client_id": "x"}}
    problems = auth_problems(section)
    assert len(problems) == 4, problems
    assert any("must be an absolute URL ending in /oauth2callback" in p for p in problems)
    assert any("placeholder" in p for p in problems)
    assert any("'_' in provider names" in p for p in problems)
    assert any("[auth.my_idp] lacks client_secret, server_metadata_url" in p for p in problems)
    with pytest.raises(SettingsError, match="cannot be used"):
        load_auth_config(section)
    with pytest.raises(SettingsError, match="names no identity provider"):
        load_auth_config({"redirect_uri": GOOD["redirect_uri"], "cookie_secret": STRONG})


def test_the_example_secrets_file_documents_every_provider_and_is_not_ignored() -> None:
    example = ROOT / ".streamlit" / "secrets.example.toml"
    parsed = tomllib.loads(example.read_text(encoding="utf-8"))
    auth = parsed["auth"]
    assert {"microsoft", "google", "okta"} <= set(auth)
    for key in ("redirect_uri", "cookie_secret", "expose_tokens"):
        assert key in example.read_text(encoding="utf-8")
    # The example's secret is a placeholder: copying the file unchanged must not start.
    assert cookie_secret_problem(auth["cookie_secret"]) is not None
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    assert not any(line.strip() in (".streamlit/", ".streamlit/*", "*.toml") for line in ignored)
