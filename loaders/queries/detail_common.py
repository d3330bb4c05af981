"""Shared plumbing of the detail loaders: grouping keys and conditional counts over lead_facts.

Every detail loader is ``SELECT keys, COUNT(*) AS leads, SUM(CASE WHEN cond THEN 1 ELSE 0 END)
AS name ... FROM lead_facts(query) GROUP BY keys``: only aggregates leave the warehouse.
Running and typing results is ``loaders/warehouse/fetch.py``'s job, counting ``loaders/queries/aggregates.py``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, FromClause, Select, func, select

from loaders.contract.tables import dealers
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import dimension_dtype, fetch_frame
from loaders.warehouse.sql_aggregates import count_where

Keys = Sequence[tuple[str, ColumnElement[Any]]]
DEALER_COLUMNS = ("dealer_id", "dealer_name", "dealer_group_id", "dealer_group_name")


def key_names(query: LeadQuery, *extra: str) -> tuple[str, ...]:
    """The query's grouping dimensions, then ``extra`` ones not already among them."""
    return tuple(query.group_by) + tuple(dim for dim in extra if dim not in query.group_by)


def fact_keys(facts: FromClause, names: Sequence[str]) -> list[tuple[str, ColumnElement[Any]]]:
    """(name, column) pairs of lead_facts columns to group by."""
    return [(name, facts.c[name]) for name in names]


def dimension_schema(names: Sequence[str]) -> dict[str, pl.DataType]:
    """Polars types of dimension columns named ``names`` (Date for week/month, else String)."""
    return {name: dimension_dtype(name) for name in names}


def grouped_counts(
    source: FromClause,
    keys: Keys,
    counts: Mapping[str, ColumnElement[bool]],
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """``SELECT keys, COUNT(*) AS leads, count_where(cond) AS name ... GROUP BY keys``.

    Without keys it is one row for the whole source (0 leads when it is empty).
    """
    stmt = select(
        *(expr.label(name) for name, expr in keys),
        func.count().label("leads"),
        *(count_where(cond).label(name) for name, cond in counts.items()),
    ).select_from(source)
    if where:
        stmt = stmt.where(*where)
    return stmt.group_by(*(expr for _, expr in keys))


def count_schema(key_schema: Mapping[str, pl.DataType], counts: Sequence[str]) -> dict[str, pl.DataType]:
    """The schema of a ``grouped_counts`` result: keys, ``leads``, then each count, all Int64."""
    return {**key_schema, "leads": pl.Int64(), **{name: pl.Int64() for name in counts}}


def fetch_counts(
    engine: Engine,
    source: FromClause,
    keys: Sequence[str],
    counts: Mapping[str, ColumnElement[bool]],
    key_types: Mapping[str, pl.DataType] | None = None,
) -> pl.DataFrame:
    """Run ``grouped_counts`` over lead_facts-like ``source`` grouped by its columns ``keys``.

    Keys are typed as dimensions (``dimension_schema``) unless ``key_types`` names them.
    """
    key_schema = dimension_schema(keys) | dict(key_types or {})
    stmt = grouped_counts(source, fact_keys(source, keys), counts)
    return fetch_frame(engine, stmt, count_schema(key_schema, list(counts)))


def read_dealers(engine: Engine) -> pl.DataFrame:
    """Names and groups of all dealers: a small table with nothing personal in it."""
    stmt = select(*(dealers.c[name] for name in DEALER_COLUMNS)).order_by(dealers.c.dealer_id)
    return fetch_frame(engine, stmt, {name: pl.String() for name in DEALER_COLUMNS})
