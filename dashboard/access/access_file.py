"""The access file: who may see which part of the network, as TOML.

Each ``[[grant]]`` entry matches signed-in users by e-mail, e-mail domain or a group from
the identity provider, and gives them a role and a scope. An e-mail matches ``emails`` and
``domains`` only when it is well formed (exactly one ``@``) and the provider says it is
verified (the claim ``email_verified`` is the boolean true), or the provider's issuer is listed
in ``trust_email_without_verified_claim`` and it sends no such claim at all. A user gets every entry they
match (the union); a user no entry matches gets nothing (deny by default). Parsing
collects every problem before it raises, so one run of the checker lists them all.
``docs/access.md`` documents the format; ``examples/access.example.toml`` shows it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import SettingsError
from dashboard.access.roles import Grant, Role, UserAccess
from loaders.request.query import Scope

DEFAULT_CONTACT = "your Leadline administrator"
TRUST_KEY = "trust_email_without_verified_claim"
TOP_LEVEL_KEYS = ("contact", "email_claim", "group_claim", TRUST_KEY, "grant")
# One '@', a local part without spaces, quotes or brackets, and a domain of dot-separated labels.
WELL_FORMED_EMAIL = re.compile(
    r"[^@\s\"(),:;<>\[\]\\]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
MATCH_KEYS = ("emails", "domains", "idp_groups")
SCOPE_KEYS = ("brands", "markets", "dealer_groups", "dealers")
GRANT_KEYS = ("name", "role", *MATCH_KEYS, *SCOPE_KEYS)

# Per role: scope keys it must have (at least one of), and scope keys it may have.
REQUIRED_SCOPE: dict[Role, tuple[str, ...]] = {
    Role.BRAND: ("brands",),
    Role.DEALER_GROUP: ("dealer_groups", "dealers"),
    Role.ANALYST: ("brands",),
    Role.ADMIN: (),
}
ALLOWED_SCOPE: dict[Role, tuple[str, ...]] = {
    Role.BRAND: ("brands", "markets"),
    Role.DEALER_GROUP: ("dealer_groups", "dealers"),
    Role.ANALYST: ("brands",),
    Role.ADMIN: (),
}


class AccessFileError(SettingsError):
    """The access file is missing, is not TOML, or has entries Leadline cannot use."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"The access file {self.path} has {len(problems)} problem(s):\n{listed}",
            "Fix them and save the file; Leadline reads it again without a restart. "
            "See docs/access.md and examples/access.example.toml.",
        )


@dataclass(frozen=True)
class Identity:
    """Who signed in, as far as matching goes: e-mail (lower case) and identity-provider groups.

    ``email_verified`` is True when the provider asserted it (or is trusted without the claim),
    False when it sent anything else, None when it sent nothing. Only True lets the e-mail match.
    """

    email: str | None
    idp_groups: tuple[str, ...] = ()
    email_verified: bool | None = None

    @property
    def domain(self) -> str | None:
        """The part of the e-mail after '@', lower case."""
        if not self.email or "@" not in self.email:
            return None
        return self.email.rsplit("@", 1)[1]


@dataclass(frozen=True)
class Entry:
    """One ``[[grant]]`` of the access file."""

    name: str
    role: Role
    scope: Scope
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    idp_groups: frozenset[str] = frozenset()

    def matches(self, who: Identity) -> bool:
        """True when ``who``'s e-mail, its domain, or one of their groups is named here.

        An e-mail the identity provider does not assert as verified matches nothing: anyone
        could have typed it. Groups still match, as the provider asserts them.
        """
        if who.idp_groups and self.idp_groups.intersection(who.idp_groups):
            return True
        if who.email is None or who.email_verified is not True:
            return False
        return who.email in self.emails or who.domain in self.domains


@dataclass(frozen=True)
class AccessFile:
    """A parsed, valid access file."""

    entries: tuple[Entry, ...]
    contact: str = DEFAULT_CONTACT
    email_claim: str = "email"
    group_claim: str = "groups"
    trusted_issuers: frozenset[str] = frozenset()
    path: str = ""

    def access_for(self, who: Identity) -> UserAccess:
        """The union of the grants of every entry ``who`` matches; no grant when none does."""
        return UserAccess.of(Grant(e.role, e.scope, e.name) for e in self.entries if e.matches(who))

    def identity(self, claims: Mapping[str, Any]) -> Identity:
        """The identity in the claims of an ID token (``st.user``), read with this file's claim names."""
        raw_email = claims.get(self.email_claim)
        email = raw_email.strip().lower() if isinstance(raw_email, str) else None
        if email is not None and not WELL_FORMED_EMAIL.fullmatch(email):
            email = None  # e.g. mallory@evil.example@aurelia.example: never matched, never shown
        raw_groups = claims.get(self.group_claim)
        if isinstance(raw_groups, str):
            groups: tuple[str, ...] = (raw_groups,)
        elif isinstance(raw_groups, list | tuple):
            groups = tuple(str(g) for g in raw_groups)
        else:
            groups = ()
        return Identity(email, groups, self._verified(claims))

    def _verified(self, claims: Mapping[str, Any]) -> bool | None:
        """True only for the boolean claim true, or no claim from a trusted issuer; "false", "true",
        1 and the like are False; no claim from any other provider is None (not verified)."""
        if "email_verified" not in claims or claims["email_verified"] is None:
            issuer = claims.get("iss")
            return True if isinstance(issuer, str) and issuer.rstrip("/") in self.trusted_issuers else None
        return claims["email_verified"] is True


@dataclass
class _Problems:
    found: list[str] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.found.append(f"{where}: {text}")


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else f" Known keys: {', '.join(choices)}."


def _strings(value: Any, where: str, key: str, problems: _Problems) -> tuple[str, ...] | None:
    """A list of non-empty strings (a single string counts as a list of one); None on a problem."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        problems.add(where, f'{key} must be a list of non-empty strings, e.g. {key} = ["..."], not {value!r}')
        return None
    if not items:
        problems.add(where, f"{key} is empty, so the entry grants nothing; name at least one or remove {key}")
        return None
    return tuple(v.strip() for v in items)


def _parse_entry(index: int, raw: Any, problems: _Problems) -> Entry | None:
    where = f"[[grant]] #{index}"
    if not isinstance(raw, dict):
        problems.add(where, "must be a table ([[grant]] followed by key = value lines)")
        return None
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where} ({name.strip()})"
    before = len(problems.found)
    for key in raw:
        if key not in GRANT_KEYS:
            problems.add(where, f"unknown key {key!r}.{_suggest(key, GRANT_KEYS)}")
    role_text = raw.get("role")
    role = None
    if role_text is None:
        problems.add(where, f"role is missing; give one of: {', '.join(r.value for r in Role)}")
    elif role_text not in {r.value for r in Role}:
        problems.add(where, f"role {role_text!r} is not one of: {', '.join(r.value for r in Role)}")
    else:
        role = Role(role_text)

    match = {k: _strings(raw[k], where, k, problems) for k in MATCH_KEYS if k in raw}
    if not any(k in raw for k in MATCH_KEYS):
        problems.add(where, f"says nobody it applies to; give at least one of {', '.join(MATCH_KEYS)}")
    for email in match.get("emails") or ():
        if not WELL_FORMED_EMAIL.fullmatch(email.lower()):
            problems.add(where, f"email {email!r} is not a well-formed address (exactly one '@', then a domain)")
    for domain in match.get("domains") or ():
        if "@" in domain:
            problems.add(
                where, f"domain {domain!r} holds '@'; write the part after '@' (e.g. 'brand-a.example')"
            )
    scope_values = {k: _strings(raw[k], where, k, problems) for k in SCOPE_KEYS if k in raw}
    if role is not None:
        for key in scope_values:
            if key not in ALLOWED_SCOPE[role]:
                allowed = ", ".join(ALLOWED_SCOPE[role]) or "none (it sees everything)"
                problems.add(where, f"{role.value} entries cannot limit {key}; their scope keys: {allowed}")
        required = REQUIRED_SCOPE[role]
        if required and not any(k in raw for k in required):
            problems.add(where, f"{role.value} entries need {' or '.join(required)}")
    if len(problems.found) > before or role is None:
        return None
    return Entry(
        name=name.strip() if isinstance(name, str) and name.strip() else f"grant #{index}",
        role=role,
        scope=Scope(
            brands=scope_values.get("brands"),
            markets=_upper(scope_values.get("markets")),
            dealer_group_ids=scope_values.get("dealer_groups"),
            dealer_ids=scope_values.get("dealers"),
        ),
        emails=frozenset(e.lower() for e in match.get("emails") or ()),
        domains=frozenset(d.lower().lstrip(".") for d in match.get("domains") or ()),
        idp_groups=frozenset(match.get("idp_groups") or ()),
    )


def _upper(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    # Markets are ISO 3166-1 alpha-2 codes, upper case in the warehouse contract.
    return None if values is None else tuple(v.upper() for v in values)


def parse_access_file(text: str, path: Path | str = "<access file>") -> AccessFile:
    """The access file in ``text``; raises AccessFileError listing every problem found."""
    problems = _Problems()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(path, [f"not valid TOML: {exc}"]) from None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.add("top level", f"unknown key {key!r}.{_suggest(key, TOP_LEVEL_KEYS)}")
    texts = {}
    for key, default in (("contact", DEFAULT_CONTACT), ("email_claim", "email"), ("group_claim", "groups")):
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            problems.add("top level", f"{key} must be a non-empty string")
            value = default
        texts[key] = value.strip()
    trusted = _strings(data[TRUST_KEY], "top level", TRUST_KEY, problems) if TRUST_KEY in data else ()
    for issuer in trusted or ():
        if not issuer.startswith(("https://", "http://")):
            problems.add("top level", f"{TRUST_KEY} lists issuer URLs (the 'iss' claim), not {issuer!r}")
    raw_entries = data.get("grant", [])
    if not isinstance(raw_entries, list):
        problems.add("top level", "grant must be an array of tables: write each entry as [[grant]]")
        raw_entries = []
    entries = [_parse_entry(i, raw, problems) for i, raw in enumerate(raw_entries, start=1)]
    if problems.found:
        raise AccessFileError(path, problems.found)
    return AccessFile(
        entries=tuple(e for e in entries if e is not None),
        contact=texts["contact"],
        email_claim=texts["email_claim"],
        group_claim=texts["group_claim"],
        trusted_issuers=frozenset(i.rstrip("/") for i in trusted or ()),
        path=str(path),
    )
