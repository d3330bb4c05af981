"""Response-time buckets in business hours (docs/metrics.md): each lead in its bucket at every
boundary, next to its clock-time bucket, on DuckDB and PostgreSQL, on the fly and from the
materialised facts, and in the CLI export.

Dealer D1 is in Europe/Berlin (UTC+1 in March) with the default hours: Mon-Fri 08:00-18:00,
Sat 09:00-13:00. T0 is Monday 2024-03-04 09:00 UTC, 10:00 in Berlin.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.cli import main
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import current_reader, forget_probes, reading_facts_from
from loaders.queries.detail_response import (
    bucket_counts_from_cells,
    fetch_response_bucket_cells,
    fetch_response_bucket_counts,
)
from loaders.request.query import LeadQuery
from metrics import detail_response
from metrics.detail_response import BUSINESS_HOURS_BUCKETS
from tests.conftest import Warehouse
from tests.detail_builders import T0, contact, lead, write

AS_OF = datetime(2024, 4, 10)
MARCH = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), AS_OF, group_by=("source",))
UNGROUPED = dataclasses.replace(MARCH, group_by=())
SECOND = 1 / 60

# (source, created_at, first contact in minutes after it or None, business-hours bucket, clock bucket)
CASES: list[tuple[str, datetime, float | None, str, str]] = [
    ("m0", T0, 0, "within_15_bh_min", "within_15_min"),
    ("m15", T0, 15, "within_15_bh_min", "within_15_min"),
    ("m15s", T0, 15 + SECOND, "from_15_to_60_bh_min", "from_15_to_60_min"),
    ("m60", T0, 60, "from_15_to_60_bh_min", "from_15_to_60_min"),
    ("m60s", T0, 60 + SECOND, "from_60_to_240_bh_min", "from_1_to_4_h"),
    ("m240", T0, 240, "from_60_to_240_bh_min", "from_1_to_4_h"),
    ("m240s", T0, 240 + SECOND, "over_240_bh_min", "from_4_to_24_h"),
    # 17:00 Berlin to 08:30 next morning: 60 + 30 business minutes, 15.5 hours on the clock.
    ("overnight", datetime(2024, 3, 4, 16, 0), 930, "from_60_to_240_bh_min", "from_4_to_24_h"),
    # Saturday 15:00 Berlin (closed since 13:00), called Monday 08:10: 10 business minutes.
    ("weekend", datetime(2024, 3, 9, 14, 0), 41 * 60 + 10, "within_15_bh_min", "over_24_h"),
    # 07:00 Berlin, called 07:59, before opening: 0 business minutes, 59 on the clock.
    ("early", datetime(2024, 3, 5, 6, 0), 59, "within_15_bh_min", "from_15_to_60_min"),
    ("never", T0, None, "never", "never"),
]


def _write_cases(warehouse: Warehouse) -> None:
    leads, activities = [], []
    for source, created_at, minutes, _, _ in CASES:
        row = lead(f"L_{source}", created_at, source=source)
        leads.append(row)
        if minutes is not None:
            activities.append(contact(row, minutes))
    write(warehouse.engine, leads, activities)


def _bucket_of_each_source(warehouse: Warehouse, *, business_hours: bool) -> dict[str, str]:
    """The bucket each source's one lead is in (the definitions, without the small-team rule)."""
    buckets = detail_response.BUSINESS_HOURS_BUCKETS if business_hours else detail_response.RESPONSE_BUCKETS
    with reading_facts_from(warehouse.engine):
        counts = fetch_response_bucket_counts(warehouse.engine, MARCH, business_hours=business_hours)
    table = detail_response.response_buckets_table(counts, MARCH.group_by, 1, buckets)
    assert table.height == len(CASES) * len(buckets)
    assert table["count"].sum() == len(CASES)
    return dict(table.filter(pl.col("count") == 1).select("source", "bucket").iter_rows())


@pytest.mark.parametrize("materialised", [False, True], ids=["on-the-fly", "materialised"])
def test_each_lead_in_its_business_hours_bucket_and_its_clock_bucket(
    warehouse: Warehouse, materialised: bool
) -> None:
    _write_cases(warehouse)
    forget_probes()
    if materialised:
        refresh_lead_facts(warehouse.engine, full=True, now=AS_OF)
        forget_probes()
        assert current_reader(warehouse.engine) is not None
    else:
        assert current_reader(warehouse.engine) is None
    assert _bucket_of_each_source(warehouse, business_hours=True) == {s: bh for s, _, _, bh, _ in CASES}
    assert _bucket_of_each_source(warehouse, business_hours=False) == {s: c for s, _, _, _, c in CASES}
    # Follow-up asks both splits of several groupings in one scan: the same counts, grouped or not.
    queries = (MARCH, dataclasses.replace(MARCH, group_by=("dealer_id", "source")), UNGROUPED)
    with reading_facts_from(warehouse.engine):
        cells = fetch_response_bucket_cells(warehouse.engine, queries)
        for query in queries:
            for business_hours in (False, True):
                alone = fetch_response_bucket_counts(warehouse.engine, query, business_hours=business_hours)
                both = bucket_counts_from_cells(cells, query, business_hours=business_hours)
                assert_frame_equal(both, alone, check_row_order=False)
                assert both["leads"].sum() == len(CASES)


def test_bucket_cells_of_no_lead_are_one_empty_total_and_no_group(warehouse: Warehouse) -> None:
    """As the one-table statements: ungrouped, a row of zeros; grouped, no row."""
    _write_cases(warehouse)
    forget_probes()
    april = dataclasses.replace(MARCH, start=date(2024, 4, 1), end=date(2024, 4, 9))
    queries = (april, dataclasses.replace(april, group_by=()))
    with reading_facts_from(warehouse.engine):
        cells = fetch_response_bucket_cells(warehouse.engine, queries)
        for query in queries:
            for business_hours in (False, True):
                alone = fetch_response_bucket_counts(warehouse.engine, query, business_hours=business_hours)
                assert_frame_equal(
                    bucket_counts_from_cells(cells, query, business_hours=business_hours), alone
                )
    assert cells.is_empty()


def test_bucket_cells_refuse_queries_of_different_views() -> None:
    other_period = dataclasses.replace(MARCH, start=date(2024, 2, 1), end=date(2024, 2, 29))
    with pytest.raises(ValueError, match="differ in their grouping only"):
        fetch_response_bucket_cells(None, (MARCH, other_period))  # type: ignore[arg-type]


def test_labels_say_business_hours_and_never_is_shared() -> None:
    assert [b.label for b in BUSINESS_HOURS_BUCKETS] == [
        "Within 15 business min",
        "15-60 business min",
        "1-4 business h",
        "Over 4 business h",
        "Never",
    ]
    assert BUSINESS_HOURS_BUCKETS[-1] == detail_response.RESPONSE_BUCKETS[-1]


def test_cli_exports_the_business_hours_buckets(
    duckdb_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_cases(duckdb_warehouse)
    duckdb_warehouse.engine.dispose()
    argv = ["metrics", "response-buckets-bh", "--warehouse", duckdb_warehouse.url, "--start", "2024-03-01"]
    argv += ["--end", "2024-03-31", "--as-of", "2024-04-10", "--min-group-size", "5", "--format", "csv"]
    assert main(argv) == 0
    table = pl.read_csv(io.StringIO(capsys.readouterr().out))
    assert table.columns == ["bucket", "label", "count", "share", "suppressed", "team_suppressed"]
    assert table["bucket"].to_list() == [b.name for b in BUSINESS_HOURS_BUCKETS]
    # Contacts without a salesperson make no team: the speed split is hidden, like its clock twin.
    assert table["team_suppressed"].all() and table["count"].null_count() == table.height
