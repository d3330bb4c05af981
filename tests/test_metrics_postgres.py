"""The same small warehouse gives the same metrics table on DuckDB and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select

from loaders.contract.tables import campaign_spend
from loaders.warehouse.sql_aggregates import quantile_cont
from tests.conftest import Warehouse
from tests.metric_fixtures import START, Fixture, mixed_fixture, spend

GROUPINGS = [(), ("dealer_group_id",), ("week", "brand"), ("month",), ("campaign_id",)]


@pytest.mark.postgres
@pytest.mark.parametrize("group_by", GROUPINGS, ids=lambda g: "+".join(g) or "total")
def test_duckdb_and_postgresql_agree(
    duckdb_warehouse: Warehouse, pg_warehouse: Warehouse, group_by: tuple[str, ...]
) -> None:
    fixture = mixed_fixture()
    on_duckdb = fixture.table(duckdb_warehouse.engine, min_group_size=2, group_by=group_by)
    on_postgres = fixture.table(pg_warehouse.engine, min_group_size=2, group_by=group_by)
    assert on_duckdb.height >= 1
    assert_frame_equal(on_duckdb, on_postgres, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.postgres
def test_postgresql_quantiles_are_not_mixed_up_by_the_statement_cache(pg_warehouse: Warehouse) -> None:
    # Regression: the fraction was not in the cache key, so a p90 query compiled after a
    # median query of the same shape came back as the median.
    fixture = Fixture(spend=[spend("c1", START + timedelta(days=i), float(i + 1)) for i in range(4)])
    fixture.write(pg_warehouse.engine)
    with pg_warehouse.engine.connect() as conn:
        answers = {
            fraction: conn.execute(
                select(quantile_cont(campaign_spend.c.amount, fraction).label("q"))
            ).scalar()
            for fraction in (0.5, 0.9, 0.5)
        }
    assert answers == {0.5: pytest.approx(2.5), 0.9: pytest.approx(3.7)}


@pytest.mark.postgres
@pytest.mark.parametrize("warehouse_name", ["duckdb_warehouse", "pg_warehouse"])
def test_quantiles_computed_together_equal_quantiles_computed_alone(
    warehouse_name: str, request: pytest.FixtureRequest
) -> None:
    engine = request.getfixturevalue(warehouse_name).engine
    amounts = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    Fixture(spend=[spend(f"c{i % 2}", START + timedelta(days=i), a) for i, a in enumerate(amounts)]).write(
        engine
    )
    amount, together = campaign_spend.c.amount, (0.5, 0.9, 0.25)
    with engine.connect() as conn:
        for grouped in (False, True):
            columns = [quantile_cont(amount, f).label(f"alone_{i}") for i, f in enumerate(together)]
            columns += [
                quantile_cont(amount, f, together).label(f"together_{i}") for i, f in enumerate(together)
            ]
            statement = select(campaign_spend.c.campaign_id, *columns).group_by(campaign_spend.c.campaign_id)
            rows = conn.execute(statement if grouped else select(*columns)).mappings().all()
            assert len(rows) == (2 if grouped else 1)
            for row in rows:
                for i in range(len(together)):
                    assert row[f"together_{i}"] == row[f"alone_{i}"]
            if not grouped:  # 1, 1, 2, 3, 4, 5, 6, 9: median 3.5, p90 6.9, p25 1.75
                assert [float(row[f"together_{i}"]) for i in range(3)] == pytest.approx(
                    [3.5, 6.9, 1.75], abs=0.002
                )  # DECIMAL(.., 3) on DuckDB


def test_fixture_is_not_trivial(duckdb_warehouse: Warehouse) -> None:
    total = mixed_fixture().table(duckdb_warehouse.engine).row(0, named=True)
    assert total["leads"] == 5 and total["contacted"] == 3 and total["lost"] == 3 and total["sold"] == 1
    assert total["spend"] == pytest.approx(99.99 + 10.0)
