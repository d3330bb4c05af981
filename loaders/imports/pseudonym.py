"""Privacy at the door: raw personal values become statuses and keyed hashes, then are dropped.

``customer_key`` and ``actor_key`` are HMAC-SHA256 hashes under the ``pseudonym_secret``
setting, so the same person gets the same key in every import, while nobody without the
secret can test a guessed name or number against a key. The purpose (customer or actor)
is part of the hashed message, so a buyer and a salesperson with the same name get
unrelated keys. Phone and e-mail values are only classified, never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import polars as pl

from common import settings
from common.errors import SettingsError

KEY_HEX_CHARS = 32  # 128 bits: no collisions at any realistic lead count
_SEPARATOR = "\x1f"
_PLACEHOLDER_PHONES = frozenset({"123456", "1234567", "12345678", "123456789", "1234567890", "0123456789"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_SUSPICIOUS_LOCAL = frozenset(
    {"test", "noreply", "no-reply", "none", "nomail", "asdf", "x", "xx", "xxx", "abc"}
)
_SUSPICIOUS_DOMAINS = frozenset(
    {"example.com", "example.org", "example.net", "test.com", "mailinator.com", "nomail.com", "none.com"}
)


def pseudonym_secret() -> bytes:
    """The configured secret; SettingsError with a hint when it is not set."""
    secret = str(settings.get("pseudonym_secret"))
    if not secret:
        raise SettingsError(
            "This mapping reads personal data (names, phone numbers or e-mail addresses), and no "
            "pseudonym secret is set, so Leadline cannot turn them into pseudonymous keys.",
            "Set LEADLINE_PSEUDONYM_SECRET (or pseudonym_secret under [leadline] in secrets.toml) to a "
            "long random text, e.g. the output of `python -c 'import secrets; print(secrets.token_hex(32))'`, "
            "and keep it: the same secret gives the same keys in later imports.",
        )
    return secret.encode("utf-8")


def normalise_identity(value: str) -> str:
    """Case, surrounding and repeated spaces do not make a different person."""
    return " ".join(value.split()).casefold()


def keyed_hash(secret: bytes, purpose: str, parts: list[str | None]) -> str | None:
    """The pseudonymous key of one person from the raw ``parts``; None when all parts are empty."""
    cleaned = [normalise_identity(p) if p else "" for p in parts]
    if not any(cleaned):
        return None
    message = _SEPARATOR.join([purpose, *cleaned]).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]


def pseudonymise(frame: pl.DataFrame, columns: tuple[str, ...], purpose: str, secret: bytes) -> pl.Series:
    """Keys for each row of ``frame`` from the raw values in ``columns`` (hashed once per distinct value)."""
    raw = frame.select(pl.col(c).cast(pl.String) for c in columns)
    distinct = raw.unique()
    keys = [keyed_hash(secret, purpose, list(row)) for row in distinct.iter_rows()]
    lookup = distinct.with_columns(pl.Series("__key", keys, dtype=pl.String))
    joined = raw.with_row_index("__order").join(lookup, on=list(columns), how="left", nulls_equal=True)
    return joined.sort("__order")["__key"]


def phone_status(value: str | None) -> str:
    """``missing``, ``placeholder`` (000000, 123456789 ...), ``invalid`` or ``valid``."""
    if value is None or not value.strip():
        return "missing"
    text = value.strip()
    if re.search(r"[A-Za-z]", text):
        return "invalid"
    digits = re.sub(r"\D", "", text)
    if not digits:
        return "missing"
    if len(set(digits)) == 1 or digits.lstrip("0") in _PLACEHOLDER_PHONES or digits in _PLACEHOLDER_PHONES:
        return "placeholder"
    if not 6 <= len(digits) <= 15:
        return "invalid"
    return "valid"


def email_status(value: str | None) -> str:
    """``missing``, ``invalid`` (not an address), ``suspicious`` (test@, example.com ...) or ``valid``."""
    if value is None or not value.strip():
        return "missing"
    text = value.strip().casefold()
    if not _EMAIL.match(text):
        return "invalid"
    local, domain = text.rsplit("@", 1)
    if local in _SUSPICIOUS_LOCAL or domain in _SUSPICIOUS_DOMAINS or len(set(local)) == 1:
        return "suspicious"
    return "valid"


def classify(series: pl.Series, kind: str) -> pl.Series:
    """Phone or e-mail statuses for a series of raw values (classified once per distinct value)."""
    classifier = phone_status if kind == "phone_status" else email_status
    text = series.cast(pl.String)
    distinct = text.unique()
    statuses = {v: classifier(v) for v in distinct.to_list()}
    missing = statuses.pop(None, "missing")
    mapped = text.replace_strict(statuses, default=missing, return_dtype=pl.String)
    return mapped.fill_null(missing).alias(kind)
