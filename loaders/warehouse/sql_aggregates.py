"""Portable aggregates, compiled per dialect: exact quantiles and conditional counts.

The spelling of these differs between DuckDB, PostgreSQL, Spark SQL, Trino, BigQuery and Snowflake;
query builders use these constructs and stay dialect-free (time functions: ``sql_time``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class quantile_cont(FunctionElement[float]):  # noqa: N801
    """Exact quantile with linear interpolation of an expression, as an aggregate.

    ``quantile_cont(expr, fraction)``: the fraction is a constant of Leadline's own code
    (0.5, 0.9), rendered into the SQL because ordered-set aggregates need a literal there.
    ``computed_with``: every fraction the same SELECT asks of the same expression. DuckDB and
    PostgreSQL then compute them in one aggregate (``quantile_cont(x, [0.5, 0.9])[1]``; DuckDB
    merges identical aggregates of one SELECT), which collects and orders the values once
    instead of once per fraction: about half the time of the quantiles at 10M leads.
    Trino and BigQuery have no exact ordered-set quantile: they get their documented
    approximations (see docs/metrics.md).
    """

    type = Float()
    inherit_cache = True
    name = "quantile_cont"
    # The fractions are rendered into the SQL, so they must be part of the statement cache key:
    # otherwise PostgreSQL's compiled cache serves quantile_cont(x, 0.5) for quantile_cont(x, 0.9).
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration style
        *FunctionElement._traverse_internals,
        ("fraction", InternalTraversal.dp_plain_obj),
        ("computed_with", InternalTraversal.dp_plain_obj),
    ]

    def __init__(
        self, expr: ColumnElement[Any], fraction: float, computed_with: tuple[float, ...] = ()
    ) -> None:
        fractions = (fraction, *computed_with)
        if not all(0.0 <= f <= 1.0 for f in fractions):
            raise ValueError(f"quantile fractions {fractions} are not all in [0, 1]")
        if computed_with and fraction not in computed_with:
            raise ValueError(f"quantile fraction {fraction} is not among {computed_with}")
        self.fraction = float(fraction)
        self.computed_with = tuple(float(f) for f in computed_with)
        super().__init__(expr)

    def position(self) -> int:
        """1-based position of ``fraction`` in the list of fractions computed together."""
        return self.computed_with.index(self.fraction) + 1


@compiles(quantile_cont)
def _quantile_default(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"percentile_cont({element.fraction!r}) WITHIN GROUP (ORDER BY {compiler.process(expr, **kw)})"


@compiles(quantile_cont, "postgresql")
def _quantile_postgresql(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    if not element.computed_with:
        return _quantile_default(element, compiler, **kw)
    (expr,) = element.clauses
    fractions = ", ".join(repr(f) for f in element.computed_with)
    ordered = f"ORDER BY {compiler.process(expr, **kw)}"
    return f"(percentile_cont(ARRAY[{fractions}]) WITHIN GROUP ({ordered}))[{element.position()}]"


@compiles(quantile_cont, "duckdb")
def _quantile_duckdb(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    value = compiler.process(expr, **kw)
    if not element.computed_with:
        return f"quantile_cont({value}, {element.fraction!r})"
    fractions = ", ".join(repr(f) for f in element.computed_with)
    return f"quantile_cont({value}, [{fractions}])[{element.position()}]"


@compiles(quantile_cont, "trino")
def _quantile_trino(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"approx_percentile({compiler.process(expr, **kw)}, {element.fraction!r})"


@compiles(quantile_cont, "bigquery")
def _quantile_bigquery(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    offset = round(element.fraction * 1000)
    return f"APPROX_QUANTILES({compiler.process(expr, **kw)}, 1000)[OFFSET({offset})]"


class count_if(FunctionElement[int]):  # noqa: N801
    """How many rows of the group satisfy a condition (NULL counts as not satisfied).

    Over no rows at all DuckDB's ``count_if`` gives NULL, not 0: coalesce where that matters.

    ``sum(CASE WHEN c THEN 1 ELSE 0 END)`` means the same but evaluates a CASE per row; the
    warehouses' own conditional counts skip that and are several times faster on DuckDB.
    """

    type = Integer()
    inherit_cache = True
    name = "count_if"


@compiles(count_if)
def _count_if_default(element: count_if, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"count(CASE WHEN {compiler.process(condition, **kw)} THEN 1 END)"


@compiles(count_if, "duckdb")
@compiles(count_if, "trino")
@compiles(count_if, "hive")
def _count_if_function(element: count_if, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"count_if({compiler.process(condition, **kw)})"


@compiles(count_if, "postgresql")
def _count_if_postgresql(element: count_if, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"count(*) FILTER (WHERE {compiler.process(condition, **kw)})"


@compiles(count_if, "bigquery")
def _count_if_bigquery(element: count_if, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"COUNTIF({compiler.process(condition, **kw)})"


@compiles(count_if, "snowflake")
def _count_if_snowflake(element: count_if, compiler: SQLCompiler, **kw: Any) -> str:
    (condition,) = element.clauses
    return f"COUNT_IF({compiler.process(condition, **kw)})"


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group satisfy ``condition`` (0, not NULL, for an empty group)."""
    return func.coalesce(count_if(condition), 0).cast(Integer)
