"""What the administrators' settings view shows: effective settings, sign-in, and the access file.

Pure functions over the settings registry and a parsed access file, so the page stays a
thin script and the tests can check the rows. Secrets are never shown, only whether set.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from common import settings
from common.errors import SettingsError
from dashboard.access.access_file import AccessFile
from dashboard.access.auth_config import AuthConfig
from loaders.request.access_scope import describe_scope
from loaders.warehouse.engine import redact

SECRET_SETTINGS = frozenset({"pseudonym_secret"})
# Access-file scope keys and the filter dimension whose values they name.
SCOPE_DIMENSIONS = {
    "brands": "brand",
    "markets": "market",
    "dealer_groups": "dealer_group_id",
    "dealers": "dealer_id",
}


def settings_rows(environ: Mapping[str, str] | None = None) -> pl.DataFrame:
    """One row per setting: name, the value in effect (secrets as 'set'/'not set'), default, help."""
    rows = []
    for spec in settings.SETTINGS:
        try:
            value = settings.get(spec.name, environ)
            shown = _shown(spec.name, value)
        except SettingsError as exc:
            shown = f"unusable: {exc.message}"
        rows.append(
            {
                "setting": spec.name,
                "value": shown,
                "default": _shown(spec.name, spec.default),
                "help": spec.help,
            }
        )
    return pl.DataFrame(rows)


def _shown(name: str, value: object) -> str:
    if name in SECRET_SETTINGS:
        return "set" if value else "not set"
    if name == "warehouse_url":
        return redact(str(value))
    return str(value)


def sign_in_summary(auth: AuthConfig | None) -> str:
    """Sign-in in one line: demo mode, or the providers and the redirect URI."""
    if auth is None:
        return "Demo mode: no [auth] section, no sign-in, listening on 127.0.0.1 only."
    providers = ", ".join(auth.label(p) for p in auth.providers)
    return f"OpenID Connect sign-in with {providers}; redirect URI {auth.redirect_uri}."


def grant_rows(access_file: AccessFile) -> pl.DataFrame:
    """One row per [[grant]]: name, role, who it matches, what it grants."""
    rows = []
    for entry in access_file.entries:
        who = [*sorted(entry.emails), *(f"@{d}" for d in sorted(entry.domains))]
        who += [f"group {g}" for g in sorted(entry.idp_groups)]
        rows.append(
            {
                "grant": entry.name,
                "role": entry.role.value,
                "matches": ", ".join(who),
                "scope": describe_scope(entry.scope),
            }
        )
    return pl.DataFrame(
        rows, schema={"grant": pl.String(), "role": pl.String(), "matches": pl.String(), "scope": pl.String()}
    )


def unknown_names(access_file: AccessFile, known: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Brands, markets, dealer groups and dealers the file names that no lead of the period has.

    ``known`` maps each dimension to its values (``Choices.labels`` of an admin). A name never
    seen grants nothing; it is usually a typo.
    """
    problems = []
    for entry in access_file.entries:
        scope = entry.scope
        named = {
            "brands": scope.brands,
            "markets": scope.markets,
            "dealer_groups": scope.dealer_group_ids,
            "dealers": scope.dealer_ids,
        }
        for key, values in named.items():
            missing = [v for v in values or () if v not in known.get(SCOPE_DIMENSIONS[key], {})]
            if missing:
                problems.append(
                    f"{entry.name}: {key} {', '.join(missing)}: no leads in this period (a typo?)"
                )
    return problems
