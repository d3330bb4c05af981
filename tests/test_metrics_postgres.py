"""The same small warehouse gives the same metrics table on DuckDB and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select

from loaders.contract import campaign_spend
from loaders.sql_functions import quantile_cont
from tests.conftest import Warehouse
from tests.metric_fixtures import START, Fixture, contact, lead, outcome, spend, ts

GROUPINGS = [(), ("dealer_group_id",), ("week", "brand"), ("month",), ("campaign_id",)]


def mixed_fixture() -> Fixture:
    """A few leads touching every definition: quantiles, boundaries, taxonomy, spend."""
    leads = [
        lead("a", campaign_id="c1"),
        lead("b", ts(60 * 24 * 3), campaign_id="c1", brand="Beta", dealer_id="d2"),
        lead("c", ts(30), consent=None, delivered_at=None),
        lead("d", ts(60 * 50), consent=False, campaign_id="c1"),
        lead("e", ts(-60 * 24), campaign_id="c2", dealer_id="ghost"),
        lead("f", ts(60 * 24 * 5), campaign_id="c2"),
    ]
    activities = [
        contact("a", ts(7.25), "x"),
        contact("a", ts(90), "y"),
        contact("b", ts(60 * 24 * 3 + 60), "x"),
        contact("c", ts(29), "x"),  # before lead c: not qualifying
        contact("c", ts(31), "x", automated=True),
        contact("e", ts(-60 * 24 + 13), None),
        contact("e", ts(-60 * 24 + 14), None),
        contact("f", ts(60 * 24 * 5 + 61), "y", direction="inbound"),
    ]
    outcomes = [
        outcome("a", sold_at=ts(600), closed_at=ts(600), gross_profit=1234.5),
        outcome("b", closed_at=ts(60 * 24 * 4), close_reason_code="no_interest"),
        outcome("e", closed_at=ts(-60 * 20), close_reason_code="bought_other_car"),
        outcome("f", closed_at=ts(60 * 24 * 6), close_reason_code="  ", appointment_at=ts(60 * 24 * 5 + 5)),
    ]
    spends = [
        spend("c1", START, 99.99),
        spend("c2", START + timedelta(days=6), 10.0),
        spend("c3", START, 5.0),
    ]
    return Fixture(leads, activities, outcomes, spends)


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


def test_fixture_is_not_trivial(duckdb_warehouse: Warehouse) -> None:
    total = mixed_fixture().table(duckdb_warehouse.engine).row(0, named=True)
    assert total["leads"] == 5 and total["contacted"] == 3 and total["lost"] == 3 and total["sold"] == 1
    assert total["spend"] == pytest.approx(99.99 + 10.0)
