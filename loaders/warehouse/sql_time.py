"""Portable SQL expressions of time, compiled per dialect: minutes between, week and month, local time,
whole days between and after dates.

Leadline's queries run on DuckDB, PostgreSQL and Spark SQL (dialect ``hive``, through PyHive)
and compile for Trino, BigQuery and Snowflake. The few operations whose spelling differs between warehouses live here (and in
``sql_aggregates``) as custom constructs, so the query builders stay dialect-free.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import TIMESTAMP, Date, DateTime, Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
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


@compiles(minutes_between, "hive")
def _minutes_spark(element: minutes_between, compiler: SQLCompiler, **kw: Any) -> str:
    # Spark has no EXTRACT(EPOCH ...) of an interval; timestampdiff counts whole microseconds.
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(timestampdiff(MICROSECOND, {earlier}, {later}) / 60000000.0)"


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


@compiles(local_time, "hive")
def _local_spark(element: local_time, compiler: SQLCompiler, **kw: Any) -> str:
    # Spark parses no AT TIME ZONE; convert_timezone works on naive timestamps (DST included).
    ts, tz = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"convert_timezone('UTC', {tz}, {ts})"


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


@compiles(iso_weekday, "hive")
def _weekday_spark(element: iso_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = element.clauses
    return f"CAST(EXTRACT(DAYOFWEEK_ISO FROM {compiler.process(expr, **kw)}) AS INTEGER)"


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


@compiles(date_plus_days, "hive")
def _plus_days_spark(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date_add(CAST({day} AS DATE), CAST({days} AS INT))"


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


@compiles(days_between, "hive")
def _days_spark(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"datediff(CAST({later} AS DATE), CAST({earlier} AS DATE))"


@compiles(days_between, "snowflake")
def _days_snowflake(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"DATEDIFF(day, CAST({earlier} AS DATE), CAST({later} AS DATE))"


def spark_interval_literal(value: timedelta) -> str:
    """A duration as Spark SQL text: ``INTERVAL DAY TO SECOND`` from a quoted 'D HH:MM:SS.ffffff'."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{value.days} {hours:02d}:{minutes:02d}:{seconds:02d}.{value.microseconds:06d}"
    return f"CAST('{text}' AS INTERVAL DAY TO SECOND)"


@compiles(BindParameter, "hive")
def _bind_spark(element: BindParameter[Any], compiler: SQLCompiler, **kw: Any) -> str:
    # PyHive fills parameters into the SQL text on the client and has no interval type: a
    # timedelta (``created_at - timedelta(days=7)``) would arrive as a timestamp. Durations are
    # Leadline's own constants, never input, and a timedelta renders only digits, so it goes into
    # the text as an interval; every other value stays a bound parameter.
    if isinstance(element.value, timedelta) and element.callable is None:
        return spark_interval_literal(element.value)
    rendered = compiler.visit_bindparam(element, **kw)
    # Dates and timestamps arrive as quoted text; say what they are, or Spark refuses to store
    # text in a TIMESTAMP_NTZ column (comparisons would cast, inserts do not).
    affinity = element.type._type_affinity
    if not element.expanding and affinity is not None and issubclass(affinity, DateTime | Date):
        return f"CAST({rendered} AS {'DATE' if issubclass(affinity, Date) else 'TIMESTAMP_NTZ'})"
    return rendered
