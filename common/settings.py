"""One registry of settings: name, default, help; read from the environment or Streamlit secrets.

A setting ``name`` is read, first found wins, from the environment variable
``LEADLINE_<NAME>``, then from ``[leadline]`` in Streamlit's secrets, then its default.
``docs/settings.md`` lists the same registry; a test keeps them in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import SettingsError
from common.opening_hours import parse_weekly_hours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEMO_PATH = PROJECT_ROOT / "data" / "demo.duckdb"
DEFAULT_APP_DB_PATH = PROJECT_ROOT / "data" / "leadline-app.sqlite"


@dataclass(frozen=True)
class SettingSpec:
    """A documented setting: its name, default, parser and help text."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str

    @property
    def env_var(self) -> str:
        """The environment variable that sets it."""
        return f"LEADLINE_{self.name.upper()}"


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1, e.g. 0.95")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be a whole number of at least 1")
    return value


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError("must be true or false")
    return value in ("true", "1", "yes")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be a number above 0")
    return value


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "warehouse_url",
        f"duckdb:///{DEFAULT_DEMO_PATH}",
        str,
        "SQLAlchemy URL of the warehouse, e.g. `postgresql+psycopg://user@host/db`. Default: the demo DuckDB file.",
    ),
    SettingSpec(
        "min_group_size",
        5,
        _positive_int,
        "Groups with fewer leads than this are suppressed: their numbers show as 'fewer than K leads'.",
    ),
    SettingSpec(
        "min_team_size",
        3,
        _positive_int,
        "Groups whose qualifying contacts come from fewer distinct salespeople than this show their "
        "'how people worked' metrics (speed, attempts, duplicate contact) as hidden; coverage stays visible.",
    ),
    SettingSpec("target_follow_up_rate", 0.95, _fraction, "Target follow-up rate shown on the Overview."),
    SettingSpec("target_conversion_rate", 0.13, _fraction, "Target conversion rate shown on the Overview."),
    SettingSpec("cache_ttl_seconds", 300, _positive_int, "How long query results are cached, in seconds."),
    SettingSpec("cache_max_entries", 256, _positive_int, "How many query results each cache keeps at most."),
    SettingSpec(
        "query_timeout_seconds", 30.0, _positive_float, "A warehouse query slower than this is abandoned."
    ),
    SettingSpec(
        "access_file", "", str, "Path of the access file (TOML) that maps users to roles and scopes."
    ),
    SettingSpec(
        "pseudonym_secret",
        "",
        str,
        "Secret key for the keyed hashes (HMAC) that turn buyers and salespeople into pseudonymous keys.",
    ),
    SettingSpec(
        "dashboard_import",
        True,
        _boolean,
        "Whether admins may write imports from the dashboard's Import page into a DuckDB warehouse "
        "(`false`: the page checks files and shows the `leadline import` command instead).",
    ),
    SettingSpec(
        "default_opening_hours",
        parse_weekly_hours("Mon-Fri 08:00-18:00; Sat 09:00-13:00"),
        parse_weekly_hours,
        "Opening hours, in the dealer's local time, of every dealer without rows in `dealer_opening_hours`: "
        "days (`Mon-Fri`, `Sat`, `Mon,Wed`) then times (`08:00-12:00, 14:00-18:00`), parts separated by `;`; "
        "days not named are closed. Business-hours response times count only these hours.",
    ),
    SettingSpec(
        "conversion_window_days",
        90,
        _positive_int,
        "Conversion within a window: a lead counts once it is this many days old, as sold when sold within "
        "this many days of arriving (`conversion_in_window_rate`).",
    ),
    SettingSpec(
        "app_db_url",
        f"sqlite:///{DEFAULT_APP_DB_PATH}",
        str,
        "SQLAlchemy URL of Leadline's own application database (subscriptions, send log, alerts), "
        "e.g. `postgresql+psycopg://user@host/leadline`; created and migrated on start; never the warehouse. "
        "Default: a SQLite file next to the demo data.",
    ),
    SettingSpec(
        "smtp_url",
        "",
        str,
        "Mail server for digests and alerts: `smtp://host:25`, `smtp+starttls://user:password@host:587` "
        "(STARTTLS, then login) or `smtps://user:password@host:465` (TLS from the start). "
        "Empty: `leadline digests send-due` sends nothing and says so.",
    ),
    SettingSpec(
        "smtp_ca_file",
        "",
        str,
        "PEM file of the certificate authority that signed the mail server's certificate "
        "(empty: the system's trusted authorities).",
    ),
    SettingSpec("mail_from", "leadline@localhost", str, "The From address of digests and alerts."),
    SettingSpec(
        "public_url",
        "http://localhost:8501",
        str,
        "The dashboard's address as readers open it (with any base path); deep links in e-mails start with it.",
    ),
)

_BY_NAME = {spec.name: spec for spec in SETTINGS}


def _secrets_section() -> Mapping[str, Any]:
    """The ``[leadline]`` section of Streamlit's secrets, or nothing when there are none."""
    try:
        import streamlit as st

        section = st.secrets.get("leadline", {})
        return dict(section) if isinstance(section, Mapping) else {}
    except Exception:  # no secrets file, or not running under Streamlit
        return {}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of setting ``name``; raises SettingsError naming the setting when it is malformed."""
    spec = _BY_NAME[name]
    env = os.environ if environ is None else environ
    raw: Any = env.get(spec.env_var)
    origin = f"environment variable {spec.env_var}"
    if raw is None:
        raw = _secrets_section().get(name)
        origin = f"secrets key [leadline].{name}"
    if raw is None:
        return spec.default
    try:
        return spec.parse(str(raw))
    except ValueError as exc:
        raise SettingsError(
            f"The {origin} is {raw!r}, which Leadline cannot use: {exc}.",
            f"Fix or unset it; the default is {spec.default!r}. {spec.help}",
        ) from None
