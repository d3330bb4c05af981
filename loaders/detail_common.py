"""Shared plumbing of the detail loaders: grouping keys, conditional counts, fetching frames.

Every detail loader is ``SELECT keys, COUNT(*) AS leads, SUM(CASE WHEN cond THEN 1 ELSE 0 END)
AS name ... FROM lead_facts(query) GROUP BY keys``: only aggregates leave the warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, FromClause, Select, case, func, select

from loaders.contract import dealers
from loaders.query import LeadQuery

# Polars type of each dimension column as it comes out of lead_facts.
_DATE_DIMENSIONS = frozenset({"week", "month"})

Keys = Sequence[tuple[str, ColumnElement[Any]]]


def key_names(query: LeadQuery, *extra: str) -> tuple[str, ...]:
    """The query's grouping dimensions, then ``extra`` ones not already among them."""
    return tuple(query.group_by) + tuple(dim for dim in extra if dim not in query.group_by)


def fact_keys(facts: FromClause, names: Sequence[str]) -> list[tuple[str, ColumnElement[Any]]]:
    """(name, column) pairs of lead_facts columns to group by."""
    return [(name, facts.c[name]) for name in names]


def dimension_schema(names: Sequence[str]) -> dict[str, pl.DataType]:
    """Polars types of dimension columns named ``names``."""
    return {name: pl.Date() if name in _DATE_DIMENSIONS else pl.String() for name in names}


def count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): a count that is 0, not NULL, on no match."""
    return func.sum(case((condition, 1), else_=0))


def grouped_counts(
    source: FromClause,
    keys: Keys,
    counts: Mapping[str, ColumnElement[bool]],
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """``SELECT keys, COUNT(*) AS leads, count_where(cond) AS name ... GROUP BY keys``."""
    key_columns = [expr.label(name) for name, expr in keys]
    stmt = select(
        *key_columns,
        func.count().label("leads"),
        *(count_where(cond).label(name) for name, cond in counts.items()),
    ).select_from(source)
    if where:
        stmt = stmt.where(*where)
    return stmt.group_by(*(expr for _, expr in keys))


def fetch_frame(engine: Engine, stmt: Select[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Run ``stmt`` and return its rows as a frame with ``schema`` (columns in select order)."""
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    names = list(schema)
    data = {name: [_plain(row[i]) for row in rows] for i, name in enumerate(names)}
    return pl.DataFrame(data, schema=dict(schema), strict=False)


def count_schema(key_schema: Mapping[str, pl.DataType], counts: Sequence[str]) -> dict[str, pl.DataType]:
    """The schema of a ``grouped_counts`` result: keys, ``leads``, then each count, all Int64."""
    return {**key_schema, "leads": pl.Int64(), **{name: pl.Int64() for name in counts}}


def read_dealers(engine: Engine) -> pl.DataFrame:
    """The dealers table without its time zone: small, and nothing in it is personal."""
    stmt = select(
        dealers.c.dealer_id, dealers.c.dealer_name, dealers.c.dealer_group_id, dealers.c.dealer_group_name
    )
    return fetch_frame(
        engine,
        stmt,
        {name: pl.String() for name in ("dealer_id", "dealer_name", "dealer_group_id", "dealer_group_name")},
    )


def _plain(value: Any) -> Any:
    # PostgreSQL returns SUM(bigint) as Decimal; Polars wants plain numbers.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
