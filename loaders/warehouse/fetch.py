"""Running an aggregate query and handing back a typed Polars frame.

Warehouses disagree on the Python types of aggregates (PostgreSQL returns ``Decimal``
for sums, DuckDB ``float``); every loader goes through ``fetch_frame`` so metrics/
always sees the same dtypes: counts as Int64, amounts and minutes as Float64.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, Select

from loaders.request.query import TIME_DIMENSIONS


def dimension_dtype(dim: str) -> pl.DataType:
    """The Polars dtype of a grouping column: Date for week/month, String otherwise."""
    return pl.Date() if dim in TIME_DIMENSIONS else pl.String()


def group_schema(group_by: tuple[str, ...]) -> dict[str, pl.DataType]:
    """Schema of the grouping columns, in ``group_by`` order."""
    return {dim: dimension_dtype(dim) for dim in group_by}


# Loaders accept an engine, or a connection so that several queries share one connection.
Bind = Engine | Connection


def fetch_frame(bind: Bind, statement: Select[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Execute ``statement`` and return its rows as a frame with exactly ``schema``.

    ``schema`` names the result columns in order; Decimal values become ints or floats as
    their column says, so what PostgreSQL sends fits the same dtypes as DuckDB's answer.
    """
    if isinstance(bind, Connection):
        rows = bind.execute(statement).all()
    else:
        with bind.connect() as conn:
            rows = conn.execute(statement).all()
    names = list(schema)
    if rows and len(rows[0]) != len(names):
        raise ValueError(f"the statement returns {len(rows[0])} columns, the schema names {len(names)}")
    columns = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else dict.fromkeys(names, ())
    for name, values in columns.items():  # column by column: a page's codes table has ~10^5 values
        dtype = schema[name]
        if dtype.is_numeric() and any(isinstance(value, Decimal) for value in values):
            columns[name] = tuple(_plain(value, dtype) for value in values)
    return pl.DataFrame(columns, schema=dict(schema))


def _plain(value: Any, dtype: pl.DataType) -> Any:
    """A Decimal as the int or float its column holds; other values unchanged."""
    if isinstance(value, Decimal):
        return int(value) if dtype.is_integer() else float(value)
    if isinstance(value, int | float) and dtype.is_float():
        return float(value)
    return value


def naive_utc(moment: datetime) -> datetime:
    """``moment`` as a naive UTC timestamp, the way the contract stores times."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
