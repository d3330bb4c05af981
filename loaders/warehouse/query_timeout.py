"""Abandoning warehouse queries that take longer than a time limit.

PostgreSQL enforces the limit itself: every session sets ``statement_timeout``, and the
connection attempt gives up after ``connect_timeout``. DuckDB has no such setting, so a
watchdog timer interrupts the connection when a statement runs longer than the limit.
Either way the query fails with a driver error that ``loaders.warehouse.errors`` turns
into a ``QueryTimeout`` with a hint.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL

_WATCHDOG = "leadline_watchdog"


def connect_args_for(url: URL, timeout_seconds: float | None) -> dict[str, Any]:
    """Driver arguments that bound the connection attempt (PostgreSQL's ``connect_timeout``).

    A ``connect_timeout`` already in the URL wins: the administrator chose it on purpose.
    """
    if timeout_seconds is None or url.get_backend_name() != "postgresql":
        return {}
    if "connect_timeout" in url.query:
        return {}
    # libpq reads whole seconds and treats values below 2 as 2.
    return {"connect_timeout": max(2, math.ceil(timeout_seconds))}


def install_query_timeout(engine: Engine, timeout_seconds: float | None) -> None:
    """Abandon statements on ``engine`` that run longer than ``timeout_seconds`` (None: no limit)."""
    if timeout_seconds is None:
        return
    backend = engine.dialect.name
    if backend == "postgresql":
        _postgresql_statement_timeout(engine, timeout_seconds)
    elif backend == "duckdb":
        _duckdb_watchdog(engine, timeout_seconds)


def _postgresql_statement_timeout(engine: Engine, timeout_seconds: float) -> None:
    milliseconds = str(max(1, round(timeout_seconds * 1000)))

    @event.listens_for(engine, "connect")
    def _set_statement_timeout(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        # set_config takes the value as a bound parameter; SET would need it in the SQL text.
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", (milliseconds,))
        cursor.close()
        dbapi_connection.commit()


def _duckdb_watchdog(engine: Engine, timeout_seconds: float) -> None:
    """A timer per statement that interrupts the DuckDB connection when the limit passes."""

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        driver = conn.connection.driver_connection
        timer = threading.Timer(timeout_seconds, driver.interrupt)
        timer.daemon = True
        conn.info[_WATCHDOG] = timer
        timer.start()

    def _stop(conn: Any) -> None:
        timer = conn.info.pop(_WATCHDOG, None)
        if timer is not None:
            timer.cancel()

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn, _cursor, _statement, _parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        _stop(conn)

    @event.listens_for(engine, "handle_error")
    def _failed(context):  # type: ignore[no-untyped-def]
        if context.connection is not None:
            _stop(context.connection)
