"""What Spark SQL (SQLAlchemy dialect ``hive``, through PyHive) needs beyond the portable constructs.

* Column types in DDL: PyHive renders ``DATE`` as ``TIMESTAMP`` and ``NUMERIC`` as ``DECIMAL``
  (that is, ``DECIMAL(10,0)`` on Spark: cents and fractions of minutes would be cut off), and a
  plain ``TIMESTAMP`` on Spark is a time-zone-aware instant. Leadline's own tables (the lead facts)
  get ``DATE``, ``DOUBLE`` and ``TIMESTAMP_NTZ`` (naive UTC, as the contract wants) instead.
* Results: the Thrift protocol hands dates over as text; ``prepare_spark_engine`` makes the
  engine's dialect return ``datetime.date`` for columns SQLAlchemy knows to be dates.
* Catalog: PyHive reads Hive's answers; Spark's differ. ``SHOW TABLES`` has the namespace
  first, a missing table is ``TABLE_OR_VIEW_NOT_FOUND`` and ``DESCRIBE`` says ``timestamp_ntz``.
  ``prepare_spark_engine`` teaches the dialect instance these (``leadline check`` reflects).
* Capabilities: Parquet tables cannot ``DELETE`` rows and there are no transactions, so the
  facts refresh rebuilds instead of patching (loaders/facts/refresh.py, docs/distributed.md).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import TIMESTAMP, Boolean, Date, Double, Engine, Integer, Numeric, Text, text
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import NoSuchTableError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler, TypeCompiler
from sqlalchemy.sql.expression import Insert
from sqlalchemy.types import TypeEngine

SPARK_DIALECT = "hive"


def is_spark(dialect_or_engine: Dialect | Engine) -> bool:
    """True for a Spark SQL warehouse (PyHive's ``hive`` dialect)."""
    dialect = getattr(dialect_or_engine, "dialect", dialect_or_engine)
    return str(getattr(dialect, "name", "")) == SPARK_DIALECT


def can_delete_rows(dialect_or_engine: Dialect | Engine) -> bool:
    """Whether ``DELETE FROM`` works on Leadline's tables (not on Spark's Parquet tables)."""
    return not is_spark(dialect_or_engine)


@compiles(Insert, SPARK_DIALECT)
def _insert_spark(insert: Insert, compiler: SQLCompiler, **kw: Any) -> str:
    """INSERT with its column list (Spark matches columns by name then, not by position).

    PyHive's own rewrite drops the list, which breaks an INSERT ... SELECT whose select list is not
    in the table's column order.
    """
    return SQLCompiler.visit_insert(compiler, insert, **kw)


@compiles(Date, SPARK_DIALECT)
def _date_spark(_type: Date, _compiler: TypeCompiler, **_kw: Any) -> str:
    return "DATE"


@compiles(Numeric, SPARK_DIALECT)
def _numeric_spark(_type: Numeric[Any], _compiler: TypeCompiler, **_kw: Any) -> str:
    return "DOUBLE"


@compiles(TIMESTAMP, SPARK_DIALECT)
def _timestamp_spark(_type: TIMESTAMP, _compiler: TypeCompiler, **_kw: Any) -> str:
    return "TIMESTAMP_NTZ"


class SparkDate(Date):
    """A date that Spark's Thrift server sent as 'YYYY-MM-DD' text."""

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        def to_date(value: Any) -> Any:
            return date.fromisoformat(value) if isinstance(value, str) else value

        return to_date


def _table_columns(self: Any, connection: Any, table_name: str, schema: str | None) -> Any:
    try:
        return type(self)._get_table_columns(self, connection, table_name, schema)
    except OperationalError as exc:
        if "TABLE_OR_VIEW_NOT_FOUND" in str(exc.orig):
            raise NoSuchTableError(table_name) from None
        raise


_REFLECTED_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "string": Text,
    "timestamp_ntz": TIMESTAMP,
    "timestamp": TIMESTAMP,
    "date": Date,
    "double": Double,
    "float": Double,
    "boolean": Boolean,
    "int": Integer,
    "bigint": Integer,
    "smallint": Integer,
    "tinyint": Integer,
}


def _reflected_type(spark_type: str) -> TypeEngine[Any]:
    name = spark_type.strip().lower()
    if name.startswith(("decimal", "numeric")):
        return Numeric()
    if name.startswith(("varchar", "char")):
        return Text()
    return _REFLECTED_TYPES.get(name, Text)()


def _table_names(self: Any, connection: Any, schema: str | None = None, **_kw: Any) -> list[str]:
    query = "SHOW TABLES"
    if schema:
        query += " IN " + self.identifier_preparer.quote_identifier(schema)
    # Spark answers (namespace, tableName, isTemporary); Hive answers (tab_name).
    return [row[1] if len(row) > 1 else row[0] for row in connection.execute(text(query))]


def _columns(self: Any, connection: Any, table_name: str, schema: str | None = None, **_kw: Any) -> Any:
    columns = []
    for row in self._get_table_columns(connection, table_name, schema):
        name, data_type = (row[0] or "").strip(), (row[1] or "").strip()
        if not name or name.startswith("#"):  # partition and detail sections follow a blank line
            break
        columns.append({"name": name, "type": _reflected_type(data_type), "nullable": True, "default": None})
    return columns


def prepare_spark_engine(engine: Engine) -> None:
    """Make ``engine`` (a Spark one) return dates as dates and see missing tables; others are left alone."""
    if not is_spark(engine):
        return
    dialect: Any = engine.dialect
    dialect.colspecs = {**dialect.colspecs, Date: SparkDate}
    dialect._get_table_columns = types.MethodType(_table_columns, dialect)
    dialect.get_table_names = types.MethodType(_table_names, dialect)
    dialect.get_view_names = types.MethodType(_table_names, dialect)
    dialect.get_columns = types.MethodType(_columns, dialect)
    # INSERT ... SELECT with CTEs (the business-hours calendar): Spark reads `INSERT INTO TABLE t WITH
    # ... SELECT`, and PyHive's insert rewrite expects the statement to start with INSERT INTO.
    dialect.cte_follows_insert = True
