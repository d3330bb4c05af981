"""Creating the SQLAlchemy engine for the configured warehouse, with failures explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from common.errors import SettingsError, WarehouseUnavailable
from loaders.warehouse.duckdb_file_gate import install_file_gate
from loaders.warehouse.query_timeout import connect_args_for, install_query_timeout
from loaders.warehouse.redaction import redact
from loaders.warehouse.spark_sql import prepare_spark_engine


def make_engine(url: str, *, read_only: bool = True, query_timeout_seconds: float | None = None) -> Engine:
    """An engine for ``url``; DuckDB files open read-only unless ``read_only`` is False.

    With ``query_timeout_seconds`` a statement running longer is abandoned and, on PostgreSQL,
    a connection attempt gives up after as long (loaders/warehouse/query_timeout.py).

    Raises SettingsError for a malformed URL or missing driver, WarehouseUnavailable for a
    DuckDB file that does not exist (reading it would silently create an empty one).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            f"The warehouse URL {redact(url)} is not a SQLAlchemy URL.",
            "Use e.g. duckdb:///data/demo.duckdb, postgresql+psycopg://user@host:5432/db "
            "or hive://user@host:10000/default (Spark SQL).",
        ) from None
    connect_args: dict[str, object] = connect_args_for(parsed, query_timeout_seconds)
    connect_args |= postgresql_session_options(parsed)
    options: dict[str, Any] = {}
    gated_file = None
    if parsed.get_backend_name() == "duckdb":
        database = parsed.database or ""
        if read_only and database not in ("", ":memory:"):
            if not Path(database).exists():
                raise WarehouseUnavailable(
                    f"The DuckDB warehouse file {database} does not exist.",
                    "Run `leadline demo --out " + database + "` to write the demo warehouse, "
                    "or set LEADLINE_WAREHOUSE_URL to your warehouse.",
                )
            connect_args["read_only"] = True
            # No idle connections: a replaced or rewritten file is reopened (loaders/warehouse/duckdb_file_gate.py).
            options["poolclass"] = NullPool
            gated_file = database
    try:
        engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=True, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise SettingsError(
            f"No database driver is installed for {parsed.drivername}: {exc}.",
            "Install the dialect's package (duckdb-engine, psycopg, trino, sqlalchemy-bigquery ...; "
            "for Spark SQL: pip install -e '.[spark]').",
        ) from None
    if parsed.get_backend_name() in ("postgresql", "duckdb"):
        _force_utc_session(engine)
    install_query_timeout(engine, query_timeout_seconds)
    prepare_spark_engine(engine)
    if gated_file is not None:
        install_file_gate(engine, gated_file)
    return engine


# PostgreSQL sorts every response time of the period for the exact quantiles: with its default
# work_mem (4 MB) a year of 1M leads spills to disk. Leadline's sessions only read.
POSTGRESQL_WORK_MEM = "64MB"


def postgresql_session_options(url: URL) -> dict[str, object]:
    """libpq ``options`` for Leadline's PostgreSQL sessions: ``work_mem`` for in-memory sorts.

    Options given in the URL are kept (``search_path`` ...); a ``work_mem`` among them wins:
    the administrator chose it on purpose.
    """
    if url.get_backend_name() != "postgresql":
        return {}
    given = url.query.get("options", "")
    given = " ".join(given) if isinstance(given, tuple) else given
    if "work_mem" in given:
        return {}
    return {"options": f"{given} -c work_mem={POSTGRESQL_WORK_MEM}".strip()}


def _force_utc_session(engine: Engine) -> None:
    """Timestamps are UTC in the contract; make sessions agree, so that a column with a time zone
    (TIMESTAMPTZ) is compared and cut into days in UTC, not in the server's local time."""
    statement = "SET TimeZone = 'UTC'" if engine.dialect.name == "duckdb" else "SET TIME ZONE 'UTC'"

    postgresql = engine.dialect.name == "postgresql"

    @event.listens_for(engine, "connect")
    def _set_utc(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        if postgresql:  # else the pool's rollback on return undoes the SET after the first use
            dbapi_connection.commit()
