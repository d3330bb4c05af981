"""count_if: each warehouse's own conditional count, same answer as SUM(CASE ...)."""

from __future__ import annotations

import pytest
import sqlalchemy_bigquery
from duckdb_engine import Dialect as DuckDBDialect
from snowflake.sqlalchemy.snowdialect import SnowflakeDialect
from sqlalchemy import Integer, column, func, literal, select, table, union_all
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from trino.sqlalchemy.dialect import TrinoDialect

from loaders.warehouse.sql_aggregates import count_if, count_where
from tests.conftest import Warehouse

facts = table("facts", column("x"))
DIALECTS: dict[str, Dialect] = {
    "duckdb": DuckDBDialect(),
    "postgresql": postgresql.dialect(),
    "trino": TrinoDialect(),
    "bigquery": sqlalchemy_bigquery.BigQueryDialect(),
    "snowflake": SnowflakeDialect(),
}


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("duckdb", "count_if(facts.x > 1)"),
        ("trino", "count_if(facts.x > 1)"),
        ("postgresql", "count(*) FILTER (WHERE facts.x > 1)"),
        ("bigquery", "COUNTIF(`facts`.`x` > 1)"),
        ("snowflake", "COUNT_IF(facts.x > 1)"),
    ],
)
def test_count_if_compiles_to_the_warehouse_s_own_function(dialect: str, expected: str) -> None:
    compiled = select(count_if(facts.c.x > 1)).compile(
        dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True}
    )
    assert expected in str(compiled)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 1, None, 5], 2),  # NULL neither counts nor breaks the count
        ([None], 0),
        ([], 0),  # no rows: count_where gives 0, not NULL
    ],
)
def test_count_where_counts_rows_that_satisfy_the_condition(
    warehouse: Warehouse, values: list[int | None], expected: int
) -> None:
    rows = [select(literal(v, Integer).label("x")) for v in values] or [
        select(literal(0, Integer).label("x")).where(literal(1) == 0)
    ]
    source = union_all(*rows).subquery("source") if len(rows) > 1 else rows[0].subquery("source")
    statement = select(count_where(source.c.x > 1), func.count()).select_from(source)
    with warehouse.engine.connect() as conn:
        assert conn.execute(statement).one() == (expected, len(values))
