"""Portable SQL expressions of time, compiled per dialect: minutes between, week and month, local time,
whole days between and after dates.

Leadline's queries run on DuckDB and PostgreSQL and compile for Trino, BigQuery and
Snowflake. The few operations whose spelling differs between warehouses live here (and in
``sql_aggregates``) as custom constructs, so the query builders stay dialect-free.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import TIMESTAMP, Date, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


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
    name is an error on every warehouse, so callers guard it (see loaders/queries/detail_arrival.py).
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


class date_plus_days(FunctionElement[Any]):  # noqa: N801
    """A date plus a whole number of days, as a date: ``date_plus_days(day, n)``."""

    type = Date()
    inherit_cache = True
    name = "date_plus_days"


@compiles(date_plus_days)
def _plus_days_default(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    # DuckDB and PostgreSQL: DATE + INTEGER is a DATE (PostgreSQL has no DATE + BIGINT).
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST({day} AS DATE) + CAST({days} AS INTEGER))"


@compiles(date_plus_days, "trino")
def _plus_days_trino(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date_add('day', {days}, CAST({day} AS DATE))"


@compiles(date_plus_days, "bigquery")
def _plus_days_bigquery(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATE_ADD(DATE({day}), INTERVAL {days} DAY)"


@compiles(date_plus_days, "snowflake")
def _plus_days_snowflake(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATEADD(day, {days}, CAST({day} AS DATE))"


class days_between(FunctionElement[int]):  # noqa: N801
    """Whole days from the first date to the second: ``later - earlier``."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(CAST({later} AS DATE) - CAST({earlier} AS DATE) AS INTEGER)"


@compiles(days_between, "trino")
def _days_trino(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date_diff('day', CAST({earlier} AS DATE), CAST({later} AS DATE))"


@compiles(days_between, "bigquery")
def _days_bigquery(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATE_DIFF(DATE({later}), DATE({earlier}), DAY)"


@compiles(days_between, "snowflake")
def _days_snowflake(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATEDIFF(day, CAST({earlier} AS DATE), CAST({later} AS DATE))"
