"""Every loader query compiles for DuckDB, PostgreSQL, Trino, BigQuery and Snowflake.

The queries are the ones tests/loader_queries.py captures by running every loader, so a
loader added later is compiled here too. Engines for Trino, BigQuery and Snowflake would
need servers or credentials; their dialect objects are enough to compile.
"""

from __future__ import annotations

import pytest
import sqlalchemy_bigquery
from duckdb_engine import Dialect as DuckDBDialect
from snowflake.sqlalchemy.snowdialect import SnowflakeDialect
from sqlalchemy import column, select, table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from trino.sqlalchemy.dialect import TrinoDialect

from loaders.warehouse.sql_aggregates import quantile_cont
from loaders.warehouse.sql_time import minutes_between, month_start, week_start
from tests.loader_queries import Captured, as_select, captured_on_sample_warehouse

DIALECTS: dict[str, Dialect] = {
    "duckdb": DuckDBDialect(),
    "postgresql": postgresql.dialect(),
    "trino": TrinoDialect(),
    "bigquery": sqlalchemy_bigquery.BigQueryDialect(),
    "snowflake": SnowflakeDialect(),
}


@pytest.fixture(scope="module")
def captured() -> Captured:
    return captured_on_sample_warehouse()


@pytest.mark.parametrize("dialect", DIALECTS, ids=str)
def test_every_loader_query_compiles(captured: Captured, dialect: str) -> None:
    assert len(captured.statements) > 20
    failures = []
    for where, statement in captured.statements:
        try:
            sql = str(as_select(statement).compile(dialect=DIALECTS[dialect]))
        except Exception as exc:
            failures.append(f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        assert sql.lstrip().upper().startswith(("SELECT", "WITH")), where
    assert failures == []


facts = table("facts", column("x"), column("created_at"), column("later"))

# What the portable constructs become on each warehouse (the approximations are documented).
EXPECTED: list[tuple[object, str, str]] = [
    (quantile_cont(facts.c.x, 0.9), "duckdb", "quantile_cont(facts.x, 0.9)"),
    (quantile_cont(facts.c.x, 0.9), "postgresql", "percentile_cont(0.9) WITHIN GROUP (ORDER BY facts.x)"),
    (quantile_cont(facts.c.x, 0.9), "snowflake", "percentile_cont(0.9) WITHIN GROUP (ORDER BY facts.x)"),
    (quantile_cont(facts.c.x, 0.9), "trino", "approx_percentile(facts.x, 0.9)"),
    (quantile_cont(facts.c.x, 0.5), "bigquery", "APPROX_QUANTILES(`facts`.`x`, 1000)[OFFSET(500)]"),
    # Fractions computed together: one aggregate where the warehouse has a list form.
    (quantile_cont(facts.c.x, 0.9, (0.5, 0.9)), "duckdb", "quantile_cont(facts.x, [0.5, 0.9])[2]"),
    (
        quantile_cont(facts.c.x, 0.5, (0.5, 0.9)),
        "postgresql",
        "(percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY facts.x))[1]",
    ),
    (
        quantile_cont(facts.c.x, 0.9, (0.5, 0.9)),
        "snowflake",
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY facts.x)",
    ),
    (quantile_cont(facts.c.x, 0.9, (0.5, 0.9)), "trino", "approx_percentile(facts.x, 0.9)"),
    (
        minutes_between(facts.c.created_at, facts.c.later),
        "trino",
        "date_diff('millisecond', facts.created_at",
    ),
    (minutes_between(facts.c.created_at, facts.c.later), "bigquery", "TIMESTAMP_DIFF(`facts`.`later`"),
    (week_start(facts.c.created_at), "snowflake", "DAYOFWEEKISO(facts.created_at)"),
    (week_start(facts.c.created_at), "bigquery", "ISOWEEK"),
    (month_start(facts.c.created_at), "postgresql", "date_trunc('month', facts.created_at)"),
]


@pytest.mark.parametrize(("construct", "dialect", "fragment"), EXPECTED)
def test_portable_constructs_per_dialect(construct: object, dialect: str, fragment: str) -> None:
    sql = str(select(construct).compile(dialect=DIALECTS[dialect]))  # type: ignore[call-overload]
    assert fragment in sql


def test_quantile_fraction_is_part_of_the_cache_key() -> None:
    median = select(quantile_cont(facts.c.x, 0.5).label("q"))
    p90 = select(quantile_cont(facts.c.x, 0.9).label("q"))
    assert median._generate_cache_key() != p90._generate_cache_key()
    assert (
        select(quantile_cont(facts.c.x, 0.5).label("q"))._generate_cache_key() == median._generate_cache_key()
    )


def test_quantiles_computed_together_are_part_of_the_cache_key() -> None:
    alone = select(quantile_cont(facts.c.x, 0.5).label("q"))
    together = select(quantile_cont(facts.c.x, 0.5, (0.5, 0.9)).label("q"))
    other_list = select(quantile_cont(facts.c.x, 0.5, (0.25, 0.5)).label("q"))
    keys = [q._generate_cache_key() for q in (alone, together, other_list)]
    assert keys[0] != keys[1] and keys[1] != keys[2] and keys[0] != keys[2]


@pytest.mark.parametrize(("fraction", "together"), [(0.5, (0.9,)), (1.5, ()), (0.5, (0.5, 1.2))])
def test_quantile_fractions_are_checked(fraction: float, together: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="quantile fraction"):
        quantile_cont(facts.c.x, fraction, together)
