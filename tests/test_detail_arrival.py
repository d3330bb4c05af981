"""The arrival heat map in the dealer's time zone (DST, NULL and unknown zones fall back to UTC),
and the SQL constructs behind it on every dialect."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import column
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from dashboard.data import detail_tables
from loaders.request.query import LeadQuery
from loaders.warehouse.sql_time import hour_of_day, iso_weekday, local_time
from tests.conftest import Warehouse
from tests.detail_builders import DEALERS, contact, lead, write

QUERY = LeadQuery(date(2024, 1, 1), date(2024, 12, 31), datetime(2025, 1, 1), group_by=("dealer_id",))
ZONES = DEALERS.vstack(
    pl.DataFrame(
        {
            "dealer_id": ["D4"],
            "dealer_name": ["Nowhere"],
            "dealer_group_id": ["G2"],
            "dealer_group_name": ["Gruppo Due"],
            "market": ["IT"],
            "timezone": ["Mars/Olympus_Mons"],
        }
    )
)

# (dealer, UTC arrival, expected local weekday 1=Mon, expected local hour)
ARRIVALS = [
    ("D1", datetime(2024, 1, 15, 9, 30), 1, 10),  # Berlin in winter: UTC+1
    ("D1", datetime(2024, 7, 15, 9, 30), 1, 11),  # Berlin in summer: UTC+2
    ("D1", datetime(2024, 3, 31, 0, 59), 7, 1),  # a minute before the spring-forward jump
    ("D1", datetime(2024, 3, 31, 1, 0), 7, 3),  # 02:00 local does not exist: 03:00
    ("D1", datetime(2024, 1, 14, 23, 30), 1, 0),  # Sunday night in UTC is Monday in Berlin
    ("D2", datetime(2024, 1, 15, 9, 30), 1, 9),  # NULL time zone: UTC
    ("D3", datetime(2024, 1, 15, 3, 0), 7, 22),  # New York: back to Sunday evening
    ("D4", datetime(2024, 1, 15, 9, 30), 1, 9),  # unknown zone name: UTC instead of an error
    ("D9", datetime(2024, 1, 16, 18, 0), 2, 18),  # dealer missing from the dealers table: UTC
]


def test_arrival_cells_in_the_dealers_time_zone(warehouse: Warehouse) -> None:
    rows = [
        lead(f"L{i}", created_at, dealer_id=dealer) for i, (dealer, created_at, _, _) in enumerate(ARRIVALS)
    ]
    write(warehouse.engine, rows, [contact(rows[0], 5)], dealers=ZONES)

    table = detail_tables.arrival_heat_map(warehouse.engine, QUERY, 1)

    assert table.columns == [
        "dealer_id",
        "weekday",
        "weekday_name",
        "hour",
        "leads",
        "follow_up_rate",
        "suppressed",
    ]
    assert table.height == 5 * 7 * 24  # every cell of every dealer with leads
    filled = table.filter(pl.col("leads") > 0)
    got = sorted(filled.select("dealer_id", "weekday", "hour").rows())
    assert got == sorted((d, wd, h) for d, _, wd, h in ARRIVALS)
    first = filled.filter((pl.col("dealer_id") == "D1") & (pl.col("hour") == 10)).row(0, named=True)
    assert (first["weekday_name"], first["follow_up_rate"]) == ("Mon", 1.0)


def test_heat_map_cells_with_fewer_than_k_leads_are_suppressed(warehouse: Warehouse) -> None:
    busy = [
        lead(f"B{i}", datetime(2024, 1, 15, 8, 15) + timedelta(weeks=i), dealer_id="D2") for i in range(5)
    ]
    # Five quiet hours of one lead each: hidden together they hold K leads, so the busy cell is
    # not their complement (one quiet lead alone would be the dealer's total minus the busy cell).
    quiet = [lead(f"Q{h}", datetime(2024, 1, 16, h, 15), dealer_id="D2") for h in range(10, 15)]
    write(warehouse.engine, busy + quiet, [contact(busy[0], 3)])
    query = LeadQuery(QUERY.start, QUERY.end, QUERY.as_of)

    table = detail_tables.arrival_heat_map(warehouse.engine, query, 5)

    shown = table.filter(~pl.col("suppressed"))
    assert shown.select("weekday", "hour", "leads", "follow_up_rate").rows() == [(1, 8, 5, 0.2)]
    assert table.filter(pl.col("suppressed"))["leads"].null_count() == 7 * 24 - 1


def _sql(expr: object, dialect: Dialect) -> str:
    return str(expr.compile(dialect=dialect))  # type: ignore[attr-defined]


def _dialect(name: str) -> Dialect:
    if name == "postgresql":
        return postgresql.dialect()
    if name == "trino":
        from trino.sqlalchemy.dialect import TrinoDialect

        return TrinoDialect()
    if name == "bigquery":
        from sqlalchemy_bigquery import BigQueryDialect

        return BigQueryDialect()
    from snowflake.sqlalchemy.snowdialect import SnowflakeDialect

    return SnowflakeDialect()


@pytest.mark.parametrize(
    ("dialect", "local", "weekday", "hour"),
    [
        (
            "postgresql",
            "((ts AT TIME ZONE 'UTC') AT TIME ZONE tz)",
            "CAST(EXTRACT(ISODOW FROM ts) AS INTEGER)",
            "CAST(EXTRACT(HOUR FROM ts) AS INTEGER)",
        ),
        (
            "trino",
            "CAST(at_timezone(with_timezone(ts, 'UTC'), tz) AS TIMESTAMP)",
            "day_of_week(ts)",
            "hour(ts)",
        ),
        (
            "bigquery",
            "DATETIME(TIMESTAMP(`ts`), `tz`)",
            "(MOD(EXTRACT(DAYOFWEEK FROM `ts`) + 5, 7) + 1)",
            "CAST(EXTRACT(HOUR FROM `ts`) AS INTEGER)",
        ),
        (
            "snowflake",
            "CONVERT_TIMEZONE('UTC', tz, ts)",
            "DAYOFWEEKISO(ts)",
            "CAST(EXTRACT(HOUR FROM ts) AS INTEGER)",
        ),
    ],
)
def test_time_constructs_compile_per_dialect(dialect: str, local: str, weekday: str, hour: str) -> None:
    compiled = _dialect(dialect)
    ts, tz = column("ts"), column("tz")
    assert _sql(local_time(ts, tz), compiled) == local
    assert _sql(iso_weekday(ts), compiled) == weekday
    assert _sql(hour_of_day(ts), compiled) == hour
