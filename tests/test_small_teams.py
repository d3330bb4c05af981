"""Issue 12, item 2: no view is one salesperson's performance.

A group whose qualifying contacts come from fewer than ``min_team_size`` distinct salespeople,
or that has fewer than K contacted leads, shows its "how people worked" metrics as hidden
(``team_suppressed``); its coverage stays visible. On DuckDB and PostgreSQL, on the fly and
from the materialised facts.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from dashboard.data.tables import metrics_table
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import current_reader, forget_probes
from metrics.registry import METRIC_COLUMNS, PEOPLE_METRICS
from tests.conftest import Warehouse
from tests.metric_fixtures import T0, Fixture, contact, lead

COVERAGE = ("leads", "contacted", "follow_up_rate", "no_contact", "undelivered", "sold", "conversion_rate")


def _dealer(dealer: str, n: int, salespeople: list[str | None], contacted: int) -> Fixture:
    """``n`` leads at ``dealer``, the first ``contacted`` of them called, in turn by ``salespeople``."""
    leads = [lead(f"{dealer}-{i}", T0 + timedelta(minutes=i), dealer_id=dealer) for i in range(n)]
    calls = [
        contact(f"{dealer}-{i}", T0 + timedelta(minutes=i + 5 + i), actor=salespeople[i % len(salespeople)])
        for i in range(contacted)
    ]
    return Fixture(leads, calls)


def _both(*parts: Fixture) -> Fixture:
    return Fixture([r for p in parts for r in p.leads], [r for p in parts for r in p.activities])


@pytest.mark.parametrize("materialised", [False, True], ids=["on-the-fly", "materialised"])
def test_one_salesperson_dealer_hides_speed_but_not_coverage(
    warehouse: Warehouse, materialised: bool
) -> None:
    fixture = _both(
        _dealer("d1", 12, ["solo"], 10),  # one person: the dealer's speed is theirs
        _dealer("d2", 12, ["s1", "s2", "s3"], 8),  # hidden as d1's complement (fewest contacted)
        _dealer("d3", 12, ["s4", None, "s5", "s6"], 10),  # a NULL actor_key is nobody
        _dealer("d4", 12, ["s7", "s8", "s9"], 10),
    )
    fixture.write(warehouse.engine)
    forget_probes()
    if materialised:
        refresh_lead_facts(warehouse.engine, full=True)
        forget_probes()
        reader = current_reader(warehouse.engine)
        assert reader is not None and reader.catch_up_since is None  # the facts table alone is read
    else:
        assert current_reader(warehouse.engine) is None
    table = metrics_table(warehouse.engine, fixture.lead_query(group_by=("dealer_id",)), 5, 3)
    rows = {r["dealer_id"]: r for r in table.iter_rows(named=True)}

    assert [rows[d]["team_suppressed"] for d in ("d1", "d2", "d3", "d4")] == [True, True, False, False]
    assert not any(r["suppressed"] for r in rows.values())
    for name in PEOPLE_METRICS:
        if name in METRIC_COLUMNS:
            assert rows["d1"][name] is None, name
    assert rows["d3"]["median_first_response_min"] is not None
    for name in COVERAGE:  # coverage is the dealership's duty: always visible
        assert rows["d1"][name] is not None, name
    assert rows["d1"]["contacted"] == 10 and rows["d1"]["no_contact"] == 2


def test_a_team_of_two_is_hidden_and_min_team_size_is_the_threshold(duckdb_warehouse: Warehouse) -> None:
    fixture = _dealer("d1", 12, ["s1", None, "s2"], 10)  # NULL actor_key: not a third person
    assert fixture.table(duckdb_warehouse.engine, 5, 3)["team_suppressed"][0] is True
    assert fixture.table(duckdb_warehouse.engine, 5, 2)["team_suppressed"][0] is False


def test_quantiles_and_attempts_need_k_contacted_leads(duckdb_warehouse: Warehouse) -> None:
    # 20 leads (well above K) but one contacted: the "median" would be that one lead's response.
    row = _dealer("d1", 20, ["s1", "s2", "s3"], 1).table(duckdb_warehouse.engine, 5, 1).row(0, named=True)
    assert row["team_suppressed"] is True and row["suppressed"] is False
    assert row["median_first_response_min"] is None and row["avg_attempts"] is None
    assert row["leads"] == 20 and row["contacted"] == 1


def test_the_default_team_size_comes_from_the_setting(
    duckdb_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = _dealer("d1", 12, ["s1", "s2"], 10)
    fixture.write(duckdb_warehouse.engine)
    query = fixture.lead_query()
    assert metrics_table(duckdb_warehouse.engine, query, 5)["team_suppressed"][0] is True  # default 3
    monkeypatch.setenv("LEADLINE_MIN_TEAM_SIZE", "2")
    assert metrics_table(duckdb_warehouse.engine, query, 5)["team_suppressed"][0] is False


def test_team_suppression_is_complemented_in_a_breakdown(duckdb_warehouse: Warehouse) -> None:
    # d1 alone would be the total's duplicate contacts minus d2's and d3's.
    fixture = _both(
        _dealer("d1", 12, ["solo"], 10),
        _dealer("d2", 12, ["s1", "s2", "s3"], 8),
        _dealer("d3", 12, ["s4", "s5", "s6"], 10),
    )
    table = fixture.table(duckdb_warehouse.engine, 5, 3, group_by=("dealer_id",))
    assert table["team_suppressed"].to_list() == [True, True, False]  # d2, the fewest contacted, too
    assert table["duplicate_contact"].null_count() == 2


def test_response_buckets_and_duplicate_contact_per_dealer_hide_small_teams(duckdb_warehouse: Warehouse) -> None:
    from dashboard.data import detail_tables

    fixture = _both(_dealer("d1", 12, ["solo"], 10), _dealer("d2", 12, ["s1", "s2", "s3"], 10))
    fixture.write(duckdb_warehouse.engine)
    query = fixture.lead_query(group_by=("dealer_id",))
    flags = []
    for table in (detail_tables.response_buckets, detail_tables.response_buckets_bh):  # clock and business hours
        buckets = table(duckdb_warehouse.engine, query, 5)
        solo = buckets.filter(pl.col("dealer_id") == "d1")
        assert solo["team_suppressed"].all() and solo["share"].null_count() == solo.height
        flags.append(dict(buckets.select("dealer_id", "team_suppressed").unique().iter_rows()))
    assert flags[0] == flags[1]  # the business-hours split is hidden exactly where its clock twin is
    dup = detail_tables.duplicate_contact_by_dealer(duckdb_warehouse.engine, fixture.lead_query(), 5)
    assert dup.filter(pl.col("dealer_id") == "d1")["duplicate_contact"].to_list() == [None]
    assert dup.filter(pl.col("dealer_id") == "d1")["contacted"].to_list() == [10]  # coverage stays
