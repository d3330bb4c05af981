"""Lead delivery by source, dealer and week, runs of undelivered weeks, and filter choices,
on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from dashboard.data import detail_tables
from loaders.request.query import LeadQuery, Scope
from metrics.detail_choices import dealers_in_groups
from tests.conftest import Warehouse
from tests.detail_builders import T0, lead, write

QUERY = LeadQuery(date(2024, 3, 1), date(2024, 4, 30), datetime(2024, 5, 1))
# Weeks of March/April 2024 (Mondays) and whether some of their leads went undelivered.
BROKEN_WEEKS = [False, True, True, False, True, False]


def _weekly_leads(per_week: int = 5) -> list[dict]:
    rows = []
    for week, broken in enumerate(BROKEN_WEEKS):
        for i in range(per_week):
            created = T0 + timedelta(weeks=week, hours=i)
            undelivered = broken and i < 2
            rows.append(lead(f"W{week}_{i}", created, delivered_at=None if undelivered else created))
    return rows


def test_delivery_cells_per_source_dealer_and_week(warehouse: Warehouse) -> None:
    other = [lead(f"M{i}", T0, source="marketplace:autoscout", dealer_id="D2") for i in range(2)]
    write(warehouse.engine, _weekly_leads() + other)

    table = detail_tables.lead_delivery(warehouse.engine, QUERY, 5)

    assert table.columns == [
        "source",
        "dealer_id",
        "dealer_name",
        "week",
        "sent",
        "delivered",
        "undelivered",
        "suppressed",
    ]
    site = table.filter(pl.col("source") == "brand_site")
    assert site["undelivered"].to_list() == [2 if broken else 0 for broken in BROKEN_WEEKS]
    assert site["week"].to_list() == [date(2024, 3, 4) + timedelta(weeks=w) for w in range(6)]
    small = table.filter(pl.col("source") == "marketplace:autoscout").row(0, named=True)
    assert small["suppressed"] and small["sent"] is None and small["dealer_name"] == "Auto Sud"


def test_undelivered_runs_end_at_a_fully_delivered_week(warehouse: Warehouse) -> None:
    write(warehouse.engine, _weekly_leads())

    runs = detail_tables.undelivered_runs(warehouse.engine, QUERY, 5)

    assert runs.select(
        "source", "dealer_id", "first_week", "last_week", "weeks", "sent", "undelivered"
    ).rows() == [
        ("brand_site", "D1", date(2024, 3, 11), date(2024, 3, 18), 2, 10, 4),
        ("brand_site", "D1", date(2024, 4, 1), date(2024, 4, 1), 1, 5, 2),
    ]
    suppressed = detail_tables.undelivered_runs(warehouse.engine, QUERY, 6)
    assert suppressed["suppressed"].to_list() == [False, True]


def test_a_week_without_leads_does_not_end_a_run(warehouse: Warehouse) -> None:
    rows = [lead(f"A{i}", T0, delivered_at=None) for i in range(3)]
    rows += [lead(f"B{i}", T0 + timedelta(weeks=2), delivered_at=None) for i in range(3)]
    write(warehouse.engine, rows)

    runs = detail_tables.undelivered_runs(warehouse.engine, QUERY, 5)

    assert runs.select("first_week", "last_week", "weeks", "undelivered").rows() == [
        (date(2024, 3, 4), date(2024, 3, 18), 2, 6)
    ]


def test_choices_within_scope_ignore_filters_and_map_dealers_to_groups(warehouse: Warehouse) -> None:
    rows = [
        lead("a", dealer_id="D1", campaign_id="C1"),
        lead("b", dealer_id="D2", campaign_id=None, brand="Z"),
        lead("c", dealer_id="D3", campaign_id="C2"),
        lead("d", dealer_id="D9", campaign_id="C9"),  # dealer and campaign missing from their tables
        lead("old", T0 - timedelta(days=60), dealer_id="D3", source="expired"),  # outside the period
    ]
    write(warehouse.engine, rows)
    query = LeadQuery(QUERY.start, QUERY.end, QUERY.as_of, filters=LeadQuery.make_filters({"brand": ["B"]}))

    choices = detail_tables.dimension_choices(warehouse.engine, query, 5)

    assert choices.columns == ["dimension", "value", "label", "dealer_group_id"]
    got = {
        (r["dimension"], r["value"]): (r["label"], r["dealer_group_id"])
        for r in choices.iter_rows(named=True)
    }
    assert got[("brand", "Z")] == ("Z", None)  # the brand filter does not hide other brands
    assert got[("dealer_id", "D1")] == ("Autohaus Nord", "G1")
    assert got[("dealer_id", "D9")] == ("D9", "unknown")
    assert got[("dealer_group_id", "G2")] == ("Gruppo Due", None)
    assert got[("campaign_id", "C2")] == ("Summer social", None)
    assert got[("campaign_id", "C9")] == ("C9", None)
    assert ("source", "expired") not in got
    assert not any(value is None for _, value in got)
    assert dealers_in_groups(choices, ["G1"])["value"].to_list() == ["D1", "D2"]

    scoped = LeadQuery(QUERY.start, QUERY.end, QUERY.as_of, scope=Scope(dealer_group_ids=("G2",)))
    in_scope = detail_tables.dimension_choices(warehouse.engine, scoped, 5)
    assert in_scope.filter(pl.col("dimension") == "dealer_id")["value"].to_list() == ["D3"]
    assert in_scope.filter(pl.col("dimension") == "brand")["value"].to_list() == ["B"]
