"""The application database's tables, and creating and migrating them on start.

Each entry of ``MIGRATIONS`` brings the schema from one version to the next; ``open_app_db``
applies the missing ones in order and records the version, so an older file is upgraded in
place and a newer one is refused rather than misread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from common.errors import SettingsError

metadata = MetaData()

schema_version = Table("leadline_schema_version", metadata, Column("version", Integer, nullable=False))

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, index=True),  # the recipient, lower case
    Column("created_by", String(320), nullable=False),
    Column("page", String(64), nullable=False),  # a url_path of dashboard/navigation.py
    Column("params", Text, nullable=False),  # JSON: filters and page options, never dates
    Column("window", String(32), nullable=False),  # a key of dashboard/digests/schedule.WINDOWS
    Column("frequency", String(16), nullable=False),  # weekly | monthly
    Column("weekday", Integer, nullable=False),  # 0 = Monday
    Column("hour", Integer, nullable=False),  # 0-23 in ``tz``
    Column("tz", String(64), nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),  # UTC
)

# One row per subscription and period: the unique key is what keeps a rerun, or two runs at
# once, from sending twice. status: sending (claimed by a run), sent, failed (retried next run),
# skipped (the recipient may no longer see the view).
send_log = Table(
    "send_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("period_key", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("detail", Text, nullable=False, default=""),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("subscription_id", "period_key", name="uq_send_log_subscription_period"),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, index=True),
    Column("created_by", String(320), nullable=False),
    Column("kind", String(64), nullable=False),  # a key of dashboard/digests/alert_kinds.ALERT_KINDS
    Column("threshold", Float, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("params", Text, nullable=False),  # JSON: filters narrowing the rule, as in a link
    Column("paused", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

# One row per rule and group while the alert is firing: it starts when the row is written (one
# e-mail) and clears when it is deleted (one e-mail), never an e-mail per run in between.
alert_state = Table(
    "alert_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    Column("group_key", String(400), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("figures", Text, nullable=False, default=""),
    UniqueConstraint("rule_id", "group_key", name="uq_alert_state_rule_group"),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[subscriptions, send_log, alert_rules, alert_state])


# version -> the step that reaches it from the one before. Append, never edit a shipped step.
MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1),)
LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    """The schema version recorded in the database (0: a new, empty database)."""
    if not inspect(conn).has_table(schema_version.name):
        return 0
    return int(conn.execute(select(schema_version.c.version)).scalar() or 0)


def migrate(engine: Engine) -> int:
    """Apply every missing migration in one transaction; returns the version reached."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version > LATEST_VERSION:
            raise SettingsError(
                f"The application database is at schema version {version}, newer than this Leadline ({LATEST_VERSION}).",
                "Upgrade Leadline, or point app_db_url at the database of this version.",
            )
        if version == 0:
            schema_version.create(conn, checkfirst=True)
            conn.execute(schema_version.insert().values(version=0))
        for target, step in MIGRATIONS:
            if target > version:
                step(conn)
                conn.execute(schema_version.update().values(version=target))
                version = target
    return version


def open_app_db(url: str) -> Engine:
    """An engine on the application database at ``url``, its schema created or migrated.

    SettingsError (naming the setting) when the URL is malformed, names the warehouse's
    DuckDB, or the database does not answer.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            f"The setting app_db_url ({url!r}) is not a SQLAlchemy URL.",
            "Use e.g. sqlite:///data/leadline-app.sqlite or postgresql+psycopg://user@host/leadline.",
        ) from None
    if parsed.get_backend_name() == "duckdb":
        raise SettingsError(
            "The setting app_db_url names a DuckDB database; Leadline keeps its own data apart from the warehouse.",
            "Use a SQLite file (sqlite:///path/leadline-app.sqlite) or PostgreSQL.",
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed)
        try:
            migrate(engine)
        except SQLAlchemyError:  # another process (the dashboard, cron) migrated at the same moment
            time.sleep(0.5)
            migrate(engine)
    except NoSuchModuleError:
        raise SettingsError(
            f"No database driver for app_db_url {parsed.render_as_string(hide_password=True)}.",
            "Install it (PostgreSQL: psycopg) or use a sqlite:/// URL.",
        ) from None
    except SQLAlchemyError as exc:
        raise SettingsError(
            f"The application database {parsed.render_as_string(hide_password=True)} cannot be opened: "
            f"{str(exc).splitlines()[0]}",
            "Check the setting app_db_url and that the database server answers.",
        ) from None
    return engine
