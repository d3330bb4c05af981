"""Each contract violation a real warehouse has, and exactly how the numbers treat it.

A clean one-lead warehouse (tests/test_data_quality.py's VALID_ROWS: lead l1 of dealer d1 and
campaign c1, contacted after 5 minutes, lost for a known reason, 10 spent) gets one kind of
broken row at a time; the metrics table, the Data quality report and docs/data-quality.md must
then agree: what the treatment text says is what the numbers do. Loose tables (no keys, no
NOT NULL) as in views over real warehouses; DuckDB and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, MetaData, Table, insert, text

from dashboard.data.tables import metrics_table
from loaders.contract.check import check_contract
from loaders.contract.data_quality import check_data_quality
from loaders.contract.data_quality_checks import how_treated
from loaders.contract.tables import TABLES
from loaders.request.query import LeadQuery
from loaders.warehouse.engine import make_engine
from tests.conftest import Warehouse
from tests.test_data_quality import VALID_ROWS, add_rows, create_loose_tables

YEAR_2024 = {"start": date(2024, 1, 1), "end": date(2024, 12, 31), "as_of": datetime(2025, 6, 1)}
L2 = ("leads", {"lead_id": "l2"})
ALL = "all"
Rows = list[tuple[str, dict[str, Any]]]

# (id, broken rows added to the clean warehouse, grouping, {group: {metric: value}},
#  the check that reports it as (check, table, column)). The baseline, for comparison:
#  leads 1, contacted 1, median 5 min, avg_attempts 1, lost 1, sold 0, spend 10.
CASES: list[tuple[str, Rows, tuple[str, ...], dict[Any, dict[str, Any]], tuple[str, str, str]]] = [
    (
        "lead without creation time: in no period",
        [("leads", {"lead_id": "l2", "created_at": None})],
        (),
        {ALL: {"leads": 1}},
        ("null_required", "leads", "created_at"),
    ),
    (
        "lead without dealer: market 'unknown'",
        [("leads", {"lead_id": "l2", "dealer_id": None})],
        ("market",),
        {"DE": {"leads": 1}, "unknown": {"leads": 1}},
        ("null_required", "leads", "dealer_id"),
    ),
    (
        "lead without brand: a group of its own, empty",
        [("leads", {"lead_id": "l2", "brand": None})],
        ("brand",),
        {"B": {"leads": 1}, None: {"leads": 1}},
        ("null_required", "leads", "brand"),
    ),
    (
        "dealer without market: 'unknown'",
        [("dealers", {"dealer_id": "d2", "market": None}), ("leads", {"lead_id": "l2", "dealer_id": "d2"})],
        ("market",),
        {"DE": {"leads": 1}, "unknown": {"leads": 1}},
        ("null_required", "dealers", "market"),
    ),
    (
        # 07:30 to 08:10 UTC on a Friday: 10 minutes after an 08:00 opening in UTC (40 in Berlin).
        "dealer without a usable time zone: hours in UTC",
        [
            ("dealers", {"dealer_id": "d2", "market": "FR", "timezone": "Paris"}),
            ("dealers", {"dealer_id": "d3", "market": "IT", "timezone": None}),
            *[
                row
                for lead, dealer in (("l2", "d2"), ("l3", "d3"))
                for row in (
                    (
                        "leads",
                        {"lead_id": lead, "dealer_id": dealer, "created_at": datetime(2024, 3, 1, 7, 30)},
                    ),
                    (
                        "lead_activities",
                        {
                            "activity_id": f"a{lead}",
                            "lead_id": lead,
                            "occurred_at": datetime(2024, 3, 1, 8, 10),
                        },
                    ),
                )
            ],
        ],
        ("market",),
        {
            "FR": {"median_first_response_bh_min": 10.0},
            "IT": {"median_first_response_bh_min": 10.0},
            "DE": {"median_first_response_bh_min": 5.0},
        },
        ("unknown_time_zone", "dealers", "timezone"),
    ),
    (
        "contact without time: not a contact",
        [L2, ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "occurred_at": None})],
        (),
        {ALL: {"leads": 2, "contacted": 1}},
        ("null_required", "lead_activities", "occurred_at"),
    ),
    (
        "contact without direction: not a contact",
        [L2, ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "direction": None})],
        (),
        {ALL: {"leads": 2, "contacted": 1}},
        ("null_required", "lead_activities", "direction"),
    ),
    (
        "contact without lead: ignored",
        [("lead_activities", {"activity_id": "a2", "lead_id": None})],
        (),
        {ALL: {"leads": 1, "avg_attempts": 1.0}},
        ("null_required", "lead_activities", "lead_id"),
    ),
    (
        "spend without amount: left out",
        [("campaign_spend", {"spend_date": date(2024, 3, 2), "amount": None})],
        (),
        {ALL: {"spend": 10.0}},
        ("null_required", "campaign_spend", "amount"),
    ),
    (
        "spend without day: in no period",
        [("campaign_spend", {"spend_date": None})],
        (),
        {ALL: {"spend": 10.0}},
        ("null_required", "campaign_spend", "spend_date"),
    ),
    (
        "spend without campaign: allocated to nobody",
        [("campaign_spend", {"campaign_id": None, "spend_date": date(2024, 3, 2)})],
        (),
        {ALL: {"spend": 10.0}},
        ("null_required", "campaign_spend", "campaign_id"),
    ),
    (
        "lead twice: counted twice, with its contacts and outcome",
        [("leads", {})],
        (),
        {ALL: {"leads": 2, "contacted": 2, "lost": 2, "avg_attempts": 2.0, "spend": 10.0}},
        ("duplicate_key", "leads", "lead_id"),
    ),
    (
        "activity twice: two attempts",
        [("lead_activities", {})],
        (),
        {ALL: {"leads": 1, "avg_attempts": 2.0, "median_first_response_min": 5.0}},
        ("duplicate_key", "lead_activities", "activity_id"),
    ),
    (
        "outcome twice: the lead counts once per copy",
        [("lead_outcomes", {})],
        (),
        {ALL: {"leads": 2, "lost": 2, "contacted": 2}},
        ("duplicate_key", "lead_outcomes", "lead_id"),
    ),
    (
        "dealer twice: its leads count once per copy",
        [("dealers", {})],
        (),
        {ALL: {"leads": 2, "contacted": 2}},
        ("duplicate_key", "dealers", "dealer_id"),
    ),
    (
        "campaign twice: its leads count once per copy",
        [("campaigns", {})],
        (),
        {ALL: {"leads": 2, "contacted": 2}},
        ("duplicate_key", "campaigns", "campaign_id"),
    ),
    (
        "spend day twice: spent twice",
        [("campaign_spend", {})],
        (),
        {ALL: {"leads": 1, "spend": 20.0}},
        ("duplicate_key", "campaign_spend", "campaign_id, spend_date"),
    ),
    (
        "close reason twice: one copy is used",
        [("close_reasons", {}), ("close_reasons", {})],
        (),
        {ALL: {"lost": 1, "vague_close_rate": 0.0}},
        ("duplicate_key", "close_reasons", "code"),
    ),
    (
        "activity of a lead that does not exist: ignored",
        [("lead_activities", {"activity_id": "a2", "lead_id": "ghost"})],
        (),
        {ALL: {"leads": 1, "avg_attempts": 1.0}},
        ("unknown_lead", "lead_activities", "lead_id"),
    ),
    (
        "outcome of a lead that does not exist: ignored",
        [("lead_outcomes", {"lead_id": "ghost"})],
        (),
        {ALL: {"leads": 1, "lost": 1}},
        ("unknown_lead", "lead_outcomes", "lead_id"),
    ),
    (
        "lead of an unknown dealer: market 'unknown'",
        [("leads", {"lead_id": "l2", "dealer_id": "d9"})],
        ("market",),
        {"DE": {"leads": 1}, "unknown": {"leads": 1}},
        ("unknown_dealer", "leads", "dealer_id"),
    ),
    (
        "lead of an unknown campaign: no channel",
        [("leads", {"lead_id": "l2", "campaign_id": "c9"})],
        ("channel",),
        {"search": {"leads": 1, "spend": 10.0}, None: {"leads": 1, "spend": 0.0}},
        ("unknown_campaign", "leads", "campaign_id"),
    ),
    (
        "spend of an unknown campaign with leads: allocated to them",
        [("campaign_spend", {"campaign_id": "c9"}), ("leads", {"lead_id": "l2", "campaign_id": "c9"})],
        ("campaign_id",),
        {"c1": {"spend": 10.0}, "c9": {"spend": 10.0}},
        ("unknown_campaign", "campaign_spend", "campaign_id"),
    ),
    (
        "spend of an unknown campaign without leads: allocated to nobody",
        [("campaign_spend", {"campaign_id": "c9"})],
        (),
        {ALL: {"spend": 10.0}},
        ("unknown_campaign", "campaign_spend", "campaign_id"),
    ),
    (
        "close-reason code in no taxonomy: a vague close",
        [L2, ("lead_outcomes", {"lead_id": "l2", "close_reason_code": "zzz"})],
        (),
        {ALL: {"lost": 2, "vague_close_rate": 0.5}},
        ("unknown_close_reason", "lead_outcomes", "close_reason_code"),
    ),
    (
        "lead created in the future: outside this period",
        [("leads", {"lead_id": "l2", "created_at": datetime(2030, 1, 1)})],
        (),
        {ALL: {"leads": 1}},
        ("in_the_future", "leads", "created_at"),
    ),
    (
        "contact in the future: still a contact, a long response",
        [
            L2,
            ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "occurred_at": datetime(2030, 1, 1)}),
        ],
        (),
        {ALL: {"leads": 2, "contacted": 2, "p90_first_response_min": None}},
        ("in_the_future", "lead_activities", "occurred_at"),
    ),
    (
        "sale dated in the future: a sale",
        [
            L2,
            ("lead_outcomes", {"lead_id": "l2", "sold_at": datetime(2030, 1, 1), "close_reason_code": None}),
        ],
        (),
        {ALL: {"leads": 2, "sold": 1}},
        ("in_the_future", "lead_outcomes", "sold_at"),
    ),
    (
        "spend on a day in the future: outside this period",
        [("campaign_spend", {"spend_date": date(2030, 1, 1)})],
        (),
        {ALL: {"spend": 10.0}},
        ("in_the_future", "campaign_spend", "spend_date"),
    ),
    (
        "lead created 1970: outside every period",
        [("leads", {"lead_id": "l2", "created_at": datetime(1970, 1, 1)})],
        (),
        {ALL: {"leads": 1}},
        ("before_2000", "leads", "created_at"),
    ),
    (
        "contact dated 1990: before its lead, not a contact",
        [
            L2,
            ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "occurred_at": datetime(1990, 1, 1)}),
        ],
        (),
        {ALL: {"leads": 2, "contacted": 1}},
        ("before_2000", "lead_activities", "occurred_at"),
    ),
    (
        "sale dated 1900: a sale",
        [
            L2,
            ("lead_outcomes", {"lead_id": "l2", "sold_at": datetime(1900, 1, 1), "close_reason_code": None}),
        ],
        (),
        {ALL: {"leads": 2, "sold": 1}},
        ("before_2000", "lead_outcomes", "sold_at"),
    ),
    (
        "sale before its lead: still a sale of the lead",
        [
            L2,
            ("lead_outcomes", {"lead_id": "l2", "sold_at": datetime(2024, 2, 1), "close_reason_code": None}),
        ],
        (),
        {ALL: {"leads": 2, "sold": 1}},
        ("sale_before_lead", "lead_outcomes", "sold_at"),
    ),
    (
        "negative spend: lowers the spend",
        [("campaign_spend", {"spend_date": date(2024, 3, 2), "amount": -4.0})],
        (),
        {ALL: {"spend": 6.0}},
        ("negative_spend", "campaign_spend", "amount"),
    ),
    (
        "unknown lead type: a group of its own",
        [("leads", {"lead_id": "l2", "lead_type": "New Car"})],
        ("lead_type",),
        {"new_vehicle": {"leads": 1}, "New Car": {"leads": 1}},
        ("unknown_value", "leads", "lead_type"),
    ),
    (
        "unknown campaign channel: a group of its own",
        [
            ("campaigns", {"campaign_id": "c2", "channel": "tv"}),
            ("leads", {"lead_id": "l2", "campaign_id": "c2"}),
        ],
        ("channel",),
        {"search": {"leads": 1}, "tv": {"leads": 1}},
        ("unknown_value", "campaigns", "channel"),
    ),
    (
        "unknown close-reason category: vague only by is_vague",
        [("close_reasons", {}), ("close_reasons", {"code": "x", "category": "lost", "is_vague": False})],
        (),
        {ALL: {"lost": 1, "vague_close_rate": 0.0}},
        ("unknown_value", "close_reasons", "category"),
    ),
    (
        "unknown direction: not a contact",
        [L2, ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "direction": "out"})],
        (),
        {ALL: {"leads": 2, "contacted": 1}},
        ("unknown_value", "lead_activities", "direction"),
    ),
    (
        "unknown contact channel: still a contact",
        [L2, ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "channel": "pigeon"})],
        (),
        {ALL: {"leads": 2, "contacted": 2}},
        ("unknown_value", "lead_activities", "channel"),
    ),
]


# The words of each case's treatment text (loaders/contract/data_quality_checks.py) that the numbers confirm.
PHRASES: dict[str, str] = {
    "lead without creation time: in no period": "never counted",
    "lead without dealer: market 'unknown'": "market and group are 'unknown'",
    "lead without brand: a group of its own, empty": "leads group under an empty value",
    "dealer without market: 'unknown'": "an empty market or dealer group is 'unknown'",
    "dealer without a usable time zone: hours in UTC": "counted on UTC clocks",
    "contact without time: not a contact": "Never a qualifying contact",
    "contact without direction: not a contact": "Never a qualifying contact",
    "contact without lead: ignored": "Ignored",
    "spend without amount: left out": "Left out of the spend sum",
    "spend without day: in no period": "never summed",
    "spend without campaign: allocated to nobody": "left out of the spend",
    "lead twice: counted twice, with its contacts and outcome": "contact attempts four times",
    "activity twice: two attempts": "attempts are over-counted",
    "outcome twice: the lead counts once per copy": "counted once per copy, with its contacts",
    "dealer twice: its leads count once per copy": "counted once per copy",
    "campaign twice: its leads count once per copy": "counted once per copy",
    "spend day twice: spent twice": "spent twice",
    "close reason twice: one copy is used": "One copy per code is used",
    "activity of a lead that does not exist: ignored": "Ignored",
    "outcome of a lead that does not exist: ignored": "Ignored",
    "lead of an unknown dealer: market 'unknown'": "'unknown'",
    "lead of an unknown campaign: no channel": "its channel is empty",
    "spend of an unknown campaign with leads: allocated to them": "Allocated to the leads with that campaign_id",
    "spend of an unknown campaign without leads: allocated to nobody": "to nobody",
    "close-reason code in no taxonomy: a vague close": "count as vague closes",
    "lead created in the future: outside this period": "only in a period that includes that day",
    "contact in the future: still a contact, a long response": "response times grow",
    "sale dated in the future: a sale": "a sale, quote or delivery dated in the future still counts",
    "spend on a day in the future: outside this period": "only in a period that includes that day",
    "lead created 1970: outside every period": "only in a period that includes that day",
    "contact dated 1990: before its lead, not a contact": "not a qualifying contact",
    "sale dated 1900: a sale": "a sale or delivery dated then still counts",
    "negative spend: lowers the spend": "lowers the spend",
    "sale before its lead: still a sale of the lead": "Counted as a sale of the lead",
    "unknown lead type: a group of its own": "a group of its own",
    "unknown campaign channel: a group of its own": "a group of its own",
    "unknown close-reason category: vague only by is_vague": "follows is_vague",
    "unknown direction: not a contact": "never a qualifying contact",
    "unknown contact channel: still a contact": "does not decide a contact",
}


@pytest.mark.parametrize(
    ("rows", "group_by", "expected", "check", "phrase"),
    [(*case[1:], PHRASES[case[0]]) for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_violation_is_treated_as_documented(
    duckdb_warehouse: Warehouse,
    rows: Rows,
    group_by: tuple[str, ...],
    expected: dict[Any, dict[str, Any]],
    check: tuple[str, str, str],
    phrase: str,
) -> None:
    engine = duckdb_warehouse.engine
    create_loose_tables(engine)
    add_rows(engine, [(name, {}) for name in VALID_ROWS] + rows)
    table = metrics_table(engine, LeadQuery(**YEAR_2024, group_by=group_by), 1, 0)  # definitions: no team rule
    for group, values in expected.items():
        row = (
            table.row(0, named=True)
            if group == ALL
            else table.row(by_predicate=_group_is(group_by, group), named=True)
        )
        for name, value in values.items():
            if value is None:  # "a long response": the 90th percentile reaches years
                assert row[name] > 60 * 24 * 365, name
            else:
                assert row[name] == pytest.approx(value), name
    # The report finds the rows, and names the treatment this test has just confirmed.
    report = check_data_quality(engine, datetime(2025, 6, 1)).filter(
        check=check[0], table=check[1], column=check[2]
    )
    assert report["count"].sum() >= 1
    assert report["how_treated"][0] == how_treated(*check)
    assert phrase in how_treated(*check)


def _group_is(group_by: tuple[str, ...], value: Any) -> Any:
    import polars as pl

    column = pl.col(group_by[0])
    return column.is_null() if value is None else column == value


# The same effects on PostgreSQL for the violations whose SQL differs most (joins, NULLs, dates).
PG_CASES = [
    c
    for c in CASES
    if c[0].startswith(
        (
            "lead twice",
            "outcome twice",
            "lead of an unknown dealer",
            "contact dated 1990",
            "spend without campaign",
            "dealer without a usable time zone",
        )
    )
]


@pytest.mark.parametrize(
    ("rows", "group_by", "expected", "check", "phrase"),
    [(*case[1:], PHRASES[case[0]]) for case in PG_CASES],
    ids=[case[0] for case in PG_CASES],
)
def test_treatment_is_the_same_on_postgresql(
    pg_warehouse: Warehouse,
    rows: Rows,
    group_by: tuple[str, ...],
    expected: dict[Any, dict[str, Any]],
    check: tuple[str, str, str],
    phrase: str,
) -> None:
    test_each_violation_is_treated_as_documented(pg_warehouse, rows, group_by, expected, check, phrase)


def test_every_treatment_text_is_settled() -> None:
    from loaders.contract import data_quality_checks

    texts = list(data_quality_checks._TREATMENTS.values())
    assert not [t for t in texts if "to be confirmed" in t.lower()]
    doc = (Path(__file__).resolve().parent.parent / "docs" / "data-quality.md").read_text()
    assert "to be confirmed" not in doc.lower()


def create_zoned_tables(engine: Any) -> dict[str, Table]:
    """Loose contract tables whose lead and contact times are TIMESTAMP WITH TIME ZONE."""
    metadata = MetaData()
    zoned = {("leads", "created_at"), ("lead_activities", "occurred_at")}
    tables = {
        name: Table(
            name,
            metadata,
            *(
                Column(c.name, DateTime(timezone=True) if (name, c.name) in zoned else c.type)
                for c in table.columns
            ),
        )
        for name, table in TABLES.items()
    }
    metadata.create_all(engine)
    return tables


@pytest.mark.parametrize("kind", ["duckdb", "postgresql"])
def test_time_zone_aware_timestamps_are_read_in_utc(kind: str, request: pytest.FixtureRequest) -> None:
    """A lead at 23:30 UTC on 1 March belongs to 1 March, even on a server whose sessions default to Rome."""
    warehouse: Warehouse = request.getfixturevalue(
        "pg_warehouse" if kind == "postgresql" else "duckdb_warehouse"
    )
    tables = create_zoned_tables(warehouse.engine)
    rome = timezone(timedelta(hours=1))
    lead = {**VALID_ROWS["leads"], "created_at": datetime(2024, 3, 2, 0, 30, tzinfo=rome)}  # 23:30 UTC
    contact = {**VALID_ROWS["lead_activities"], "occurred_at": datetime(2024, 3, 1, 23, 40, tzinfo=UTC)}
    with warehouse.engine.begin() as conn:
        conn.execute(insert(tables["leads"]).values(lead))
        conn.execute(insert(tables["lead_activities"]).values(contact))
    warehouse.engine.dispose()  # DuckDB: the file is opened read-only below
    # PostgreSQL: a session default other than UTC, as on a server set up in Italy. (DuckDB cannot
    # take a TimeZone when it opens a file; its sessions are checked to be UTC instead.)
    url = warehouse.url + "%20-cTimeZone%3DEurope%2FRome" if kind == "postgresql" else warehouse.url
    engine = make_engine(url)
    try:
        day = LeadQuery(date(2024, 3, 1), date(2024, 3, 1), datetime(2025, 6, 1))
        row = metrics_table(engine, day, 1, 0).row(0, named=True)  # definitions: no team rule
        assert row["leads"] == 1
        assert row["median_first_response_min"] == pytest.approx(10.0)
        for _ in range(2):  # every session, not only the first one
            with engine.connect() as conn:
                assert conn.execute(text("SELECT current_setting('TimeZone')")).scalar() == "UTC"
        problems = check_contract(engine)
        zoned = {(p.table, p.column) for p in problems if "time zone" in p.describe()}
        assert {("leads", "created_at"), ("lead_activities", "occurred_at")} <= zoned
    finally:
        engine.dispose()
