"""Is sign-in configured, and configured well enough to start?

Sign-in is OpenID Connect through Streamlit's ``st.login``, set up in the ``[auth]``
section of ``.streamlit/secrets.toml`` (``.streamlit/secrets.example.toml`` documents
every key). Without an ``[auth]`` section Leadline runs in demo mode: localhost only,
a visible banner, full access. An ``[auth]`` section that is present, even empty (every key
commented out), but incomplete or weak is an error naming what is missing, never a fall-back
to demo mode: a typo must not open the data (docs/privacy.md section 5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common.errors import SettingsError

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
PROVIDER_OPTIONAL_KEYS = ("client_kwargs",)
SHARED_KEYS = ("redirect_uri", "cookie_secret", "expose_tokens")
DEFAULT_PROVIDER = "default"  # Streamlit's name for a provider written straight into [auth]
MIN_COOKIE_SECRET_CHARS = 32
MIN_COOKIE_SECRET_BITS = 128
# A substring this long seen twice is a pattern, not randomness (in 64 random hex characters
# the chance of such a repeat is below one in a million).
REPEAT_CHARS = 8
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'  # noqa: S105 (a command, not a secret)
# Placeholders from documentation and examples, ours included: never a real secret.
PLACEHOLDER_SECRETS = frozenset({"xxx", "changeme", "change-me", "secret", "cookie_secret", "replace-me"})
# Text that only a placeholder or an instruction holds, never a generated secret.
PLACEHOLDER_MARKERS = ("<", ">", "change", "example", "output of", "replace", "placeholder")
# Bits per character of the smallest alphabet a secret's characters fit in.
_ALPHABETS = (
    (re.compile(r"[0-9]+"), math.log2(10)),
    (re.compile(r"[0-9a-f]+|[0-9A-F]+"), 4.0),
    (re.compile(r"[0-9a-z]+|[0-9A-Z]+"), math.log2(36)),
    (re.compile(r"[0-9A-Za-z+/=_-]+"), 6.0),
)
KNOWN_LABELS = {"microsoft": "Microsoft", "entra": "Microsoft Entra ID", "google": "Google", "okta": "Okta"}


@dataclass(frozen=True)
class AuthConfig:
    """A usable ``[auth]`` section: which providers to offer on the sign-in page."""

    providers: tuple[str, ...]
    redirect_uri: str

    def label(self, provider: str) -> str:
        """The name on the sign-in button: 'Microsoft', 'Okta', or the section name capitalised."""
        if provider == DEFAULT_PROVIDER:
            return "your company account"
        return KNOWN_LABELS.get(provider.lower(), provider.replace("-", " ").title())


def read_auth_section() -> Any:
    """The ``[auth]`` section of Streamlit's secrets (``{}`` when empty), or None when there is none."""
    try:
        import streamlit as st

        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: demo mode
        return None
    if section is None:
        return None
    return _plain(section)


def _plain(value: Any) -> Any:
    # st.secrets hands out AttrDicts; plain dicts keep the checks independent of Streamlit.
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def cookie_secret_problem(secret: Any) -> str | None:
    """Why ``secret`` is too weak to sign identity cookies with, or None when it will do.

    A placeholder (the docs' own ``<output of: ...>``, anything saying change, example,
    replace ...) is refused; so is a secret shorter than ``MIN_COOKIE_SECRET_CHARS`` or whose
    estimated entropy is below ``MIN_COOKIE_SECRET_BITS``: bits per character of the smallest
    alphabet it fits in (digits, hex, lower-case alphanumerics, base64) times its length, where a
    secret that repeats a substring of ``REPEAT_CHARS`` or more counts as too weak outright.
    """
    if not isinstance(secret, str) or not secret:
        return f"[auth] cookie_secret is missing; generate one with {GENERATE_SECRET}"
    lowered = secret.lower()
    if lowered in PLACEHOLDER_SECRETS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return f"[auth] cookie_secret is a placeholder; generate one with {GENERATE_SECRET}"
    if len(secret) < MIN_COOKIE_SECRET_CHARS or estimated_bits(secret) < MIN_COOKIE_SECRET_BITS:
        return (
            f"[auth] cookie_secret is too weak (needs at least {MIN_COOKIE_SECRET_CHARS} randomly generated "
            f"characters, about {MIN_COOKIE_SECRET_BITS} bits); generate one with {GENERATE_SECRET}"
        )
    return None


def estimated_bits(secret: str) -> float:
    """A generous estimate of the entropy of ``secret`` in bits; 0 when it repeats itself."""
    if _repeats(secret):
        return 0.0
    per_char = next((bits for pattern, bits in _ALPHABETS if pattern.fullmatch(secret)), math.log2(95))
    return per_char * len(secret)


def _repeats(secret: str) -> bool:
    """True when some substring of REPEAT_CHARS characters occurs twice (overlaps included)."""
    seen: set[str] = set()
    for start in range(len(secret) - REPEAT_CHARS + 1):
        chunk = secret[start : start + REPEAT_CHARS]
        if chunk in seen:
            return True
        seen.add(chunk)
    return False


def _provider_sections(section: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    named = {k: v for k, v in section.items() if isinstance(v, Mapping) and k != "client_kwargs"}
    if any(k in section for k in PROVIDER_KEYS):
        named = {
            DEFAULT_PROVIDER: {
                k: section[k] for k in (*PROVIDER_KEYS, *PROVIDER_OPTIONAL_KEYS) if k in section
            },
            **named,
        }
    return named


def auth_problems(section: Mapping[str, Any]) -> list[str]:
    """Every reason the ``[auth]`` section cannot be used to sign users in; empty when it can."""
    problems: list[str] = []
    redirect = section.get("redirect_uri")
    if not isinstance(redirect, str) or not redirect:
        problems.append("[auth] redirect_uri is missing; e.g. https://leadline.example.com/oauth2callback")
    elif not redirect.startswith(("http://", "https://")) or not redirect.rstrip("/").endswith(
        "/oauth2callback"
    ):
        problems.append(f"[auth] redirect_uri {redirect!r} must be an absolute URL ending in /oauth2callback")
    secret_problem = cookie_secret_problem(section.get("cookie_secret"))
    if secret_problem:
        problems.append(secret_problem)
    providers = _provider_sections(section)
    if not providers:
        problems.append(
            "[auth] names no identity provider; add client_id, client_secret and server_metadata_url "
            "to [auth], or a section such as [auth.microsoft] with them"
        )
    for name, provider in providers.items():
        where = "[auth]" if name == DEFAULT_PROVIDER else f"[auth.{name}]"
        if "_" in name:
            problems.append(f"{where}: Streamlit does not allow '_' in provider names; use '-' or nothing")
        missing = [k for k in PROVIDER_KEYS if not provider.get(k)]
        if missing:
            problems.append(f"{where} lacks {', '.join(missing)}")
        url = provider.get("server_metadata_url")
        if isinstance(url, str) and url and not url.rstrip("/").endswith("/.well-known/openid-configuration"):
            problems.append(f"{where} server_metadata_url should end in /.well-known/openid-configuration")
    return problems


def load_auth_config(section: Any) -> AuthConfig | None:
    """None without an ``[auth]`` section (demo mode); the usable config; else SettingsError naming every problem.

    Any ``[auth]`` section means sign-in is intended, even an empty one (its keys commented out).
    """
    if section is None:
        return None
    if not isinstance(section, Mapping):
        problems = [f"[auth] must be a table of keys (redirect_uri, cookie_secret, ...), not {type(section).__name__}"]
    else:
        problems = auth_problems(section)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise SettingsError(
            f"Sign-in is configured in .streamlit/secrets.toml but cannot be used:\n{listed}",
            "Fix the [auth] section (see .streamlit/secrets.example.toml and docs/access.md), "
            "or remove it to run in demo mode on localhost.",
        )
    assert isinstance(section, Mapping)
    return AuthConfig(providers=tuple(_provider_sections(section)), redirect_uri=str(section["redirect_uri"]))
