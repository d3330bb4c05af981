"""What went wrong with the warehouse, in words a user can act on, and never with a password.

``warehouse_error`` turns a driver or SQLAlchemy exception into a ``WarehouseUnavailable``
(or its ``QueryTimeout``) whose message names the cause and whose hint says what to do.
``is_connection_failure`` tells whether the engine's connections should be thrown away.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, OperationalError

from common.errors import QueryTimeout, WarehouseUnavailable
from loaders.warehouse.redaction import redact, scrub

# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (or by an operator).
_QUERY_CANCELED = "57014"
_DUCKDB_LOCK = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:300]


def is_timeout(exc: BaseException) -> bool:
    """True when ``exc`` is a query abandoned for taking too long (DuckDB interrupt, PostgreSQL 57014)."""
    original = getattr(exc, "orig", None) or exc
    if type(original).__name__ == "InterruptException":
        return True
    return getattr(original, "sqlstate", None) == _QUERY_CANCELED


def is_lock_conflict(exc: BaseException) -> bool:
    """True when a DuckDB file is locked by a program writing it (an import, ``leadline demo`` in place)."""
    return bool(_DUCKDB_LOCK.search(str(getattr(exc, "orig", None) or exc)))


def is_connection_failure(exc: BaseException) -> bool:
    """True when the connection itself failed: the engine's pooled connections should be discarded."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | OSError) and not is_timeout(exc)


def warehouse_error(
    url: str, exc: BaseException, timeout_seconds: float | None = None
) -> WarehouseUnavailable:
    """The error to show for ``exc`` raised while querying the warehouse at ``url``."""
    where = redact(url)
    if is_timeout(exc):
        limit = f" within {timeout_seconds:g} s" if timeout_seconds else " in time"
        return QueryTimeout(
            f"The warehouse at {where} did not finish a query{limit}, so it was abandoned.",
            "Choose a shorter period or fewer filters and press Retry. If this keeps happening, ask your "
            "administrator to raise LEADLINE_QUERY_TIMEOUT_SECONDS or to run `leadline refresh`.",
        )
    reason = scrub(_first_line(exc), url)
    if is_lock_conflict(exc):
        return WarehouseUnavailable(
            f"The warehouse file {where} is being written by another program right now ({reason}).",
            "Wait until the import or `leadline demo` has finished, then press Retry.",
        )
    return WarehouseUnavailable(
        f"The warehouse at {where} did not answer: {reason}",
        "Check that the warehouse is running and reachable, then press Retry. "
        "Numbers already on screen stay visible meanwhile.",
    )
