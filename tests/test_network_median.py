"""The network median a dealer principal sees: other dealers of the same brands only, K dealers or nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import Engine

from dashboard.data.peer_table import network_median_table
from loaders.contract.write import write_tables
from loaders.queries.aggregates import COUNT_COLUMNS
from loaders.queries.network_median import load_peer_counts
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope
from metrics.network_median import network_median
from tests.conftest import Warehouse

# dealer -> group; (dealer, brand, leads, contacted). G1 is the viewer's group.
GROUPS = {"D1": "G1", "D2": "G1", "D3": "G2", "D4": "G2", "D5": "G3", "D6": "G3", "D7": "G3", "D8": "G3"}
LEADS = [
    ("D1", "A", 10, 10),
    ("D2", "A", 10, 0),
    ("D3", "A", 10, 2),  # follow-up 0.2
    ("D3", "B", 10, 10),  # brand B: not the viewer's brand, must not count for D3
    ("D4", "A", 10, 4),  # 0.4
    ("D5", "A", 10, 6),  # 0.6
    ("D6", "A", 10, 8),  # 0.8
    ("D7", "A", 3, 3),  # too few leads to contribute
    ("D8", "B", 10, 10),  # another brand only
]
CREATED = datetime(2026, 1, 10, 9, 0)
OWN = AccessScope.of([Scope(dealer_group_ids=("G1",))])


def _seed(engine: Engine) -> None:
    dealers = pl.DataFrame(
        {
            "dealer_id": list(GROUPS),
            "dealer_name": list(GROUPS),
            "dealer_group_id": list(GROUPS.values()),
            "dealer_group_name": list(GROUPS.values()),
            "market": ["IT"] * len(GROUPS),
        }
    )
    leads, activities = [], []
    for dealer, brand, count, contacted in LEADS:
        for i in range(count):
            lead_id = f"{dealer}-{brand}-{i}"
            leads.append({"lead_id": lead_id, "brand": brand, "dealer_id": dealer})
            if i < contacted:
                activities.append({"activity_id": f"x-{lead_id}", "lead_id": lead_id})
    lead_frame = pl.DataFrame(leads).with_columns(
        created_at=pl.lit(CREATED),
        source=pl.lit("brand_site"),
        lead_type=pl.lit("new_vehicle"),
        phone_status=pl.lit("valid"),
        email_status=pl.lit("valid"),
    )
    activity_frame = pl.DataFrame(activities).with_columns(
        occurred_at=pl.lit(CREATED + timedelta(minutes=10)),
        channel=pl.lit("phone"),
        direction=pl.lit("outbound"),
        automated=pl.lit(False),
    )
    write_tables(engine, {"dealers": dealers, "leads": lead_frame, "lead_activities": activity_frame})


def _query(scope: Scope | AccessScope = OWN, filters: dict[str, list[str]] | None = None) -> LeadQuery:
    return LeadQuery(
        date(2026, 1, 1),
        date(2026, 1, 31),
        datetime(2026, 2, 1),
        filters=LeadQuery.make_filters(filters or {}),
        scope=scope,
    )


def test_peer_rows_are_the_other_dealers_of_the_same_brands_without_keys(warehouse: Warehouse) -> None:
    _seed(warehouse.engine)
    peers = load_peer_counts(warehouse.engine, _query(), OWN)
    assert peers.columns == list(COUNT_COLUMNS)  # no dealer or group key leaves the warehouse
    assert sorted(zip(peers["leads"], peers["contacted"], strict=True)) == [
        (3, 3), (10, 2), (10, 4), (10, 6), (10, 8),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("k", "dealers", "follow_up"),
    [
        # D3..D6 contribute (0.2, 0.4, 0.6, 0.8), but four other dealers are fewer than 5: with so
        # few, the median is (nearly) one unnamed dealer's own figure, so none is shown.
        (4, 4, None),
        (3, 5, 0.6),  # D7 (3 leads, all contacted) contributes too
        (5, 4, None),  # four dealers are fewer than K = 5: no median
    ],
)
def test_median_over_contributing_dealers(
    warehouse: Warehouse, k: int, dealers: int, follow_up: float | None
) -> None:
    _seed(warehouse.engine)
    row = network_median_table(warehouse.engine, _query(), OWN, k).row(0, named=True)
    assert row["dealers"] == dealers
    assert row["follow_up_rate"] == (pytest.approx(follow_up) if follow_up is not None else None)


def test_a_filter_on_own_dealers_does_not_narrow_the_peers(duckdb_warehouse: Warehouse) -> None:
    _seed(duckdb_warehouse.engine)
    engine = duckdb_warehouse.engine
    mine = network_median_table(engine, _query(filters={"dealer_id": ["D1"]}), OWN, 3)
    assert mine.row(0, named=True)["follow_up_rate"] == pytest.approx(0.6)


def test_single_dealer_grant_excludes_only_that_dealer(duckdb_warehouse: Warehouse) -> None:
    _seed(duckdb_warehouse.engine)
    own = AccessScope.of([Scope(dealer_ids=("D3",))])
    peers = load_peer_counts(duckdb_warehouse.engine, _query(own), own)
    # D3 sells A and B; the others of A and B: D1, D2, D4..D7 (brand A) and D8 (brand B).
    assert peers.height == 7
    assert int(peers["leads"].sum()) == 10 + 10 + 10 + 10 + 10 + 3 + 10


def test_no_dealer_grant_means_no_comparison(duckdb_warehouse: Warehouse) -> None:
    _seed(duckdb_warehouse.engine)
    engine = duckdb_warehouse.engine
    brand_only = AccessScope.of([Scope(brands=("A",))])
    assert load_peer_counts(engine, _query(brand_only), brand_only).is_empty()
    assert load_peer_counts(engine, _query(), AccessScope.nothing()).is_empty()
    no_leads = AccessScope.of([Scope(dealer_group_ids=("G9",))])
    assert load_peer_counts(engine, _query(no_leads), no_leads).is_empty()
    assert network_median_table(engine, _query(no_leads), no_leads, 1).row(0) == (0, None, None, None, None)


def test_median_of_empty_input() -> None:
    empty = pl.DataFrame(schema={c: pl.Int64() for c in COUNT_COLUMNS})
    assert network_median(empty, 5).row(0, named=True)["dealers"] == 0
