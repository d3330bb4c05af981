"""Portable SQL expressions, compiled per dialect.

Leadline's queries run on DuckDB and PostgreSQL and compile for Trino, BigQuery and
Snowflake. The few operations whose spelling differs between warehouses live here as
custom constructs, so the query builders stay dialect-free.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TIMESTAMP, Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class minutes_between(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it is
    """Minutes (fractional) from the first timestamp to the second: ``later - earlier``."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_default(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 60.0)"


@compiles(minutes_between, "trino")
def _minutes_trino(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(date_diff('millisecond', {earlier}, {later}) / 60000.0)"


@compiles(minutes_between, "bigquery")
def _minutes_bigquery(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(TIMESTAMP_DIFF({later}, {earlier}, MICROSECOND) / 60000000.0)"


@compiles(minutes_between, "snowflake")
def _minutes_snowflake(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(DATEDIFF('millisecond', {earlier}, {later}) / 60000.0)"


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


class week_start(FunctionElement[Any]):  # noqa: N801
    """Monday of the ISO week of a timestamp, as a date."""

    type = Date()
    inherit_cache = True
    name = "week_start"


@compiles(week_start)
def _week_default(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"CAST(date_trunc('week', {compiler.process(expr, **kw)}) AS DATE)"


@compiles(week_start, "bigquery")
def _week_bigquery(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"DATE_TRUNC(DATE({compiler.process(expr, **kw)}), ISOWEEK)"


@compiles(week_start, "snowflake")
def _week_snowflake(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    # Snowflake's date_trunc('week') follows WEEK_START; DAYOFWEEKISO is always Monday = 1.
    (expr,) = element.clauses
    value = compiler.process(expr, **kw)
    return f"DATEADD(day, 1 - DAYOFWEEKISO({value}), CAST({value} AS DATE))"


class month_start(FunctionElement[Any]):  # noqa: N801
    """First day of the month of a timestamp, as a date."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_default(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"CAST(date_trunc('month', {compiler.process(expr, **kw)}) AS DATE)"


@compiles(month_start, "bigquery")
def _month_bigquery(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"DATE_TRUNC(DATE({compiler.process(expr, **kw)}), MONTH)"


class local_time(FunctionElement[Any]):  # noqa: N801
    """A UTC timestamp as wall-clock time in the IANA time zone given by the second argument.

    ``local_time(ts, tz)``: ``ts`` is a naive timestamp holding UTC (the contract's convention);
    the result is a naive timestamp in ``tz``, daylight saving time included. An unknown zone
    name is an error on every warehouse, so callers guard it (see loaders/detail_arrival.py).
    """

    type = TIMESTAMP()
    inherit_cache = True
    name = "local_time"


@compiles(local_time)
def _local_default(element: local_time, compiler: SQLCompiler, **kw: Any) -> str:
    # DuckDB and PostgreSQL: naive -> timestamptz read as UTC -> naive wall clock in tz.
    ts, tz = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(({ts} AT TIME ZONE 'UTC') AT TIME ZONE {tz})"


@compiles(local_time, "trino")
def _local_trino(element: local_time, compiler: SQLCompiler, **kw: Any) -> str:
    ts, tz = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(at_timezone(with_timezone({ts}, 'UTC'), {tz}) AS TIMESTAMP)"


@compiles(local_time, "bigquery")
def _local_bigquery(element: local_time, compiler: SQLCompiler, **kw: Any) -> str:
    ts, tz = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATETIME(TIMESTAMP({ts}), {tz})"


@compiles(local_time, "snowflake")
def _local_snowflake(element: local_time, compiler: SQLCompiler, **kw: Any) -> str:
    ts, tz = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CONVERT_TIMEZONE('UTC', {tz}, {ts})"


class iso_weekday(FunctionElement[int]):  # noqa: N801
    """ISO day of the week of a timestamp: Monday = 1 ... Sunday = 7."""

    type = Integer()
    inherit_cache = True
    name = "iso_weekday"


@compiles(iso_weekday)
def _weekday_default(element: iso_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"CAST(EXTRACT(ISODOW FROM {compiler.process(expr, **kw)}) AS INTEGER)"


@compiles(iso_weekday, "trino")
def _weekday_trino(element: iso_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"day_of_week({compiler.process(expr, **kw)})"


@compiles(iso_weekday, "bigquery")
def _weekday_bigquery(element: iso_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    # BigQuery's DAYOFWEEK is Sunday = 1 ... Saturday = 7; shift it to ISO.
    (expr,) = element.clauses
    return f"(MOD(EXTRACT(DAYOFWEEK FROM {compiler.process(expr, **kw)}) + 5, 7) + 1)"


@compiles(iso_weekday, "snowflake")
def _weekday_snowflake(element: iso_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"DAYOFWEEKISO({compiler.process(expr, **kw)})"


class hour_of_day(FunctionElement[int]):  # noqa: N801
    """Hour (0-23) of a timestamp's wall-clock time."""

    type = Integer()
    inherit_cache = True
    name = "hour_of_day"


@compiles(hour_of_day)
def _hour_default(element: hour_of_day, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"CAST(EXTRACT(HOUR FROM {compiler.process(expr, **kw)}) AS INTEGER)"


@compiles(hour_of_day, "trino")
def _hour_trino(element: hour_of_day, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"hour({compiler.process(expr, **kw)})"


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
