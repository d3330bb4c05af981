"""Warehouse URLs and driver messages with every credential taken out, safe to show and to log.

A warehouse URL may carry secrets in two places: the user-info part (``user:password@``) and
query parameters (``?password=...``, ``?token=...``, Snowflake's ``private_key_file_pwd``,
BigQuery's ``credentials_base64`` ...). ``redact`` hides both; ``scrub`` does the same to free
text such as a driver's error message, and also removes every secret value the URL holds
wherever it appears. Every place that shows or logs a URL goes through these (docs/privacy.md
section 4).
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

HIDDEN = "***"
# A query parameter whose name contains one of these holds (or points to) a credential.
_SECRET_NAME = re.compile(
    r"pass|pwd|token|secret|key|credential|signature|^sig$|^sas$|^auth$|authorization|session|cookie|jwt",
    re.IGNORECASE,
)
# A password in any URL-like text: scheme://user:password@host.
_URL_PASSWORD = re.compile(r"(//[^:/@\s]*:)[^@\s/]+(@)")
# name=value pairs in free text (a URL's query, a libpq DSN), stopping at a separator or quote.
_PAIR = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<eq>\s*=\s*)(?P<value>'[^']*'|\"[^\"]*\"|[^\s&;,'\"]+)"
)


def is_secret_name(name: str) -> bool:
    """True when a query parameter or option called ``name`` holds a credential."""
    return bool(_SECRET_NAME.search(name))


def redact(url: str | URL) -> str:
    """The URL with its password and every credential-like query parameter replaced by ***."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return "<unparseable URL>"
    query = {name: (HIDDEN if is_secret_name(name) else value) for name, value in parsed.query.items()}
    shown = parsed.set(query=query).render_as_string(hide_password=True)
    return shown.replace("%2A%2A%2A", HIDDEN)


def secret_values(url: str | URL | None) -> tuple[str, ...]:
    """The password and credential-like query values of ``url`` (to remove from any text)."""
    if url is None:
        return ()
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return ()
    values = [] if parsed.password is None else [str(parsed.password)]
    for name, value in parsed.query.items():
        if is_secret_name(name):
            values.extend([value] if isinstance(value, str) else list(value))
    return tuple(v for v in values if len(v) >= 3)


def scrub(text: str, url: str | URL | None = None, password: str | None = None) -> str:
    """``text`` with URL passwords, credential-like ``name=value`` pairs, and the secrets of ``url``
    (and ``password``) wherever they appear, replaced by ***."""
    cleaned = _URL_PASSWORD.sub(rf"\1{HIDDEN}\2", text)
    cleaned = _PAIR.sub(
        lambda m: f"{m['name']}{m['eq']}{HIDDEN}" if is_secret_name(m["name"]) else m[0], cleaned
    )
    secrets = [*secret_values(url), *([password] if password else [])]
    for secret in sorted(secrets, key=len, reverse=True):
        cleaned = cleaned.replace(secret, HIDDEN)
    return cleaned
