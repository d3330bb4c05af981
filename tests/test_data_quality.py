"""Data-quality checks: each finds exactly the rows that break its rule, with an example key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Column, Engine, MetaData, Table, insert

from dashboard.cli import main
from loaders.contract.data_quality import QUALITY_SCHEMA, check_data_quality, quality_problems
from loaders.contract.data_quality_checks import DESCRIPTIONS, ROW_KEYS, how_treated
from loaders.contract.tables import TABLES
from tests.conftest import Warehouse

AS_OF = datetime(2025, 6, 1, 12)

# A valid row of each table; a case overrides a few of its values.
VALID_ROWS: dict[str, dict[str, Any]] = {
    "dealers": {
        "dealer_id": "d1",
        "dealer_name": "Autohaus Nord",
        "dealer_group_id": "g1",
        "dealer_group_name": "Nord Gruppe",
        "market": "DE",
        "timezone": "Europe/Berlin",
    },
    "campaigns": {
        "campaign_id": "c1",
        "campaign_name": "Spring",
        "brand": "B",
        "channel": "search",
    },
    "campaign_spend": {
        "campaign_id": "c1",
        "spend_date": date(2024, 3, 1),
        "amount": 10.0,
        "currency": "EUR",
    },
    "leads": {
        "lead_id": "l1",
        "created_at": datetime(2024, 3, 1, 10),
        "brand": "B",
        "dealer_id": "d1",
        "campaign_id": "c1",
        "source": "brand_site",
        "lead_type": "new_vehicle",
        "phone_status": "valid",
        "email_status": "valid",
        "consent": True,
    },
    "lead_activities": {
        "activity_id": "a1",
        "lead_id": "l1",
        "occurred_at": datetime(2024, 3, 1, 10, 5),
        "channel": "phone",
        "direction": "outbound",
    },
    "lead_outcomes": {
        "lead_id": "l1",
        "closed_at": datetime(2024, 3, 9),
        "close_reason_code": "bought_other_car",
    },
}
TAXONOMY_ROW = {
    "code": "bought_other_car",
    "category": "no_interest",
    "label": "Bought another car",
    "is_vague": False,
}


def create_loose_tables(engine: Engine) -> dict[str, Table]:
    """The contract tables without keys or NOT NULL: real warehouses (views) enforce neither."""
    metadata = MetaData()
    tables = {
        name: Table(name, metadata, *(Column(c.name, c.type) for c in table.columns))
        for name, table in TABLES.items()
    }
    metadata.create_all(engine)
    return tables


def add_rows(engine: Engine, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Insert rows, each a valid row of its table with the given values changed."""
    metadata = MetaData()
    tables = {
        name: Table(name, metadata, *(Column(c.name, c.type) for c in TABLES[name].columns))
        for name in TABLES
    }
    with engine.begin() as conn:
        for name, changes in rows:
            table = tables[name]
            base = VALID_ROWS.get(name, TAXONOMY_ROW if name == "close_reasons" else {})
            conn.execute(insert(table).values({**base, **changes}))


@pytest.fixture
def clean(duckdb_warehouse: Warehouse) -> Warehouse:
    create_loose_tables(duckdb_warehouse.engine)
    add_rows(duckdb_warehouse.engine, [(name, {}) for name in VALID_ROWS])
    return duckdb_warehouse


def found(engine: Engine, as_of: datetime = AS_OF) -> list[tuple[str, str, str, int, str | None]]:
    problems = quality_problems(check_data_quality(engine, as_of))
    return [
        (r["check"], r["table"], r["column"], r["count"], r["example_key"])
        for r in problems.iter_rows(named=True)
    ]


def test_clean_warehouse_passes_every_check(clean: Warehouse) -> None:
    report = check_data_quality(clean.engine, AS_OF)
    assert report.schema == pl.Schema(QUALITY_SCHEMA)
    assert report.height > 60
    assert report["count"].sum() == 0
    assert report["example_key"].null_count() == report.height


def test_every_check_has_a_description_and_treatment(clean: Warehouse) -> None:
    report = check_data_quality(clean.engine, AS_OF)
    assert set(report["check"]) == set(DESCRIPTIONS)
    assert report["how_treated"].str.len_chars().min() > 10  # type: ignore[operator]


V = VALID_ROWS
CASES: list[tuple[str, list[tuple[str, dict[str, Any]]], tuple[str, str, str, int, str | None]]] = [
    (
        "null in a required column",
        [("leads", {"lead_id": "l2", "created_at": None})],
        ("null_required", "leads", "created_at", 1, "l2"),
    ),
    (
        "null direction",
        [("lead_activities", {"activity_id": "a2", "direction": None})],
        ("null_required", "lead_activities", "direction", 1, "a2"),
    ),
    ("duplicate lead", [("leads", {})], ("duplicate_key", "leads", "lead_id", 1, "l1")),
    (
        "duplicate activity",
        [("lead_activities", {})],
        ("duplicate_key", "lead_activities", "activity_id", 1, "a1"),
    ),
    ("duplicate outcome", [("lead_outcomes", {})], ("duplicate_key", "lead_outcomes", "lead_id", 1, "l1")),
    ("duplicate dealer", [("dealers", {})], ("duplicate_key", "dealers", "dealer_id", 1, "d1")),
    (
        "spend day loaded twice",
        [("campaign_spend", {})],
        ("duplicate_key", "campaign_spend", "campaign_id, spend_date", 1, "c1 / 2024-03-01"),
    ),
    (
        "activity of a lead that does not exist",
        [("lead_activities", {"activity_id": "a2", "lead_id": "l9"})],
        ("unknown_lead", "lead_activities", "lead_id", 1, "a2"),
    ),
    (
        "outcome of a lead that does not exist",
        [("lead_outcomes", {"lead_id": "l9"})],
        ("unknown_lead", "lead_outcomes", "lead_id", 1, "l9"),
    ),
    (
        "lead of an unknown dealer",
        [("leads", {"lead_id": "l2", "dealer_id": "d9"})],
        ("unknown_dealer", "leads", "dealer_id", 1, "l2"),
    ),
    (
        "lead of an unknown campaign",
        [("leads", {"lead_id": "l2", "campaign_id": "c9"})],
        ("unknown_campaign", "leads", "campaign_id", 1, "l2"),
    ),
    (
        "spend of an unknown campaign",
        [("campaign_spend", {"campaign_id": "c9"})],
        ("unknown_campaign", "campaign_spend", "campaign_id", 1, "c9 / 2024-03-01"),
    ),
    (
        "lead created in the future",
        [("leads", {"lead_id": "l2", "created_at": AS_OF + timedelta(seconds=1)})],
        ("in_the_future", "leads", "created_at", 1, "l2"),
    ),
    (
        "contact in the future",
        [("lead_activities", {"activity_id": "a2", "occurred_at": datetime(2030, 1, 1)})],
        ("in_the_future", "lead_activities", "occurred_at", 1, "a2"),
    ),
    (
        "spend on a day in the future",
        [("campaign_spend", {"spend_date": date(2025, 6, 2)})],
        ("in_the_future", "campaign_spend", "spend_date", 1, "c1 / 2025-06-02"),
    ),
    (
        "placeholder creation time",
        [("leads", {"lead_id": "l2", "created_at": datetime(1970, 1, 1)})],
        ("before_2000", "leads", "created_at", 1, "l2"),
    ),
    (
        "placeholder outcome time",
        [("leads", {"lead_id": "l2"}), ("lead_outcomes", {"lead_id": "l2", "sold_at": datetime(1900, 1, 1)})],
        ("before_2000", "lead_outcomes", "sold_at", 1, "l2"),
    ),
    (
        "placeholder spend day",
        [("campaign_spend", {"spend_date": date(1999, 12, 31)})],
        ("before_2000", "campaign_spend", "spend_date", 1, "c1 / 1999-12-31"),
    ),
    (
        "sale dated before its lead",
        [("leads", {"lead_id": "l2"}), ("lead_outcomes", {"lead_id": "l2", "sold_at": datetime(2024, 2, 1)})],
        ("sale_before_lead", "lead_outcomes", "sold_at", 1, "l2"),
    ),
    (
        "negative spend",
        [("campaign_spend", {"spend_date": date(2024, 3, 2), "amount": -5.0})],
        ("negative_spend", "campaign_spend", "amount", 1, "c1 / 2024-03-02"),
    ),
    (
        "unknown lead type",
        [("leads", {"lead_id": "l2", "lead_type": "New Car"})],
        ("unknown_value", "leads", "lead_type", 1, "l2"),
    ),
    (
        "unknown direction",
        [("lead_activities", {"activity_id": "a2", "direction": "out"})],
        ("unknown_value", "lead_activities", "direction", 1, "a2"),
    ),
    (
        "unknown campaign channel",
        [("campaigns", {"campaign_id": "c2", "channel": "tv"})],
        ("unknown_value", "campaigns", "channel", 1, "c2"),
    ),
    (
        "unknown close-reason category",
        [("close_reasons", {}), ("close_reasons", {"code": "x", "category": "lost"})],
        ("unknown_value", "close_reasons", "category", 1, "x"),
    ),
    (
        "close-reason code in no taxonomy (default in force)",
        [("leads", {"lead_id": "l2"}), ("lead_outcomes", {"lead_id": "l2", "close_reason_code": "zzz"})],
        ("unknown_close_reason", "lead_outcomes", "close_reason_code", 1, "l2"),
    ),
    (
        "dealer without time zone",
        [
            ("dealers", {"dealer_id": "d3", "timezone": None}),
            ("dealers", {"dealer_id": "d2", "timezone": None}),
        ],
        ("unknown_time_zone", "dealers", "timezone", 2, "d2"),
    ),
    (
        "dealer time zone that is not an IANA name",
        [
            ("dealers", {"dealer_id": "d2", "timezone": "CET+1"}),
            ("dealers", {"dealer_id": "d4", "timezone": "Rome"}),
        ],
        ("unknown_time_zone", "dealers", "timezone", 2, "d2"),
    ),
    (
        "close-reason code not in the warehouse's taxonomy",
        [("close_reasons", {"code": "other_code"})],
        ("unknown_close_reason", "lead_outcomes", "close_reason_code", 1, "l1"),
    ),
]


@pytest.mark.parametrize(
    ("rows", "expected"), [(rows, expected) for _, rows, expected in CASES], ids=[c[0] for c in CASES]
)
def test_check_finds_exactly_the_broken_rows(
    clean: Warehouse, rows: list[tuple[str, dict[str, Any]]], expected: tuple[str, str, str, int, str | None]
) -> None:
    add_rows(clean.engine, rows)
    assert found(clean.engine) == [expected]


def test_counts_every_broken_row_and_gives_the_smallest_key(clean: Warehouse) -> None:
    add_rows(clean.engine, [("leads", {"lead_id": key, "lead_type": "car"}) for key in ("l7", "l3", "l5")])
    assert found(clean.engine) == [("unknown_value", "leads", "lead_type", 3, "l3")]


@pytest.mark.parametrize(
    "rows",
    [
        [("leads", {"lead_id": "l2", "campaign_id": None})],  # no campaign is allowed
        [("leads", {"lead_id": "l2", "preferred_channel": None, "consent": None})],  # optional columns
        [("leads", {"lead_id": "l2"}), ("lead_outcomes", {"lead_id": "l2", "close_reason_code": None})],
        [("campaign_spend", {"spend_date": date(2025, 6, 1), "amount": 0.0})],  # as-of day, zero spend
        [("leads", {"lead_id": "l2", "created_at": AS_OF})],  # exactly as of is not the future
        [
            ("dealers", {"dealer_id": "d2", "timezone": "America/Sao_Paulo"}),
            ("dealers", {"dealer_id": "d3", "timezone": "UTC"}),
        ],
    ],
    ids=["no campaign", "optional nulls", "no close reason", "as-of day", "exactly as of", "IANA zones"],
)
def test_allowed_data_is_not_reported(clean: Warehouse, rows: list[tuple[str, dict[str, Any]]]) -> None:
    add_rows(clean.engine, rows)
    assert found(clean.engine) == []


def test_leads_that_refused_consent_are_left_out_with_their_activities_and_outcome(clean: Warehouse) -> None:
    add_rows(
        clean.engine,
        [
            ("leads", {"lead_id": "l2", "consent": False, "lead_type": "bogus", "dealer_id": "d9"}),
            ("lead_activities", {"activity_id": "a2", "lead_id": "l2", "direction": "bogus"}),
            ("lead_outcomes", {"lead_id": "l2", "close_reason_code": "bogus"}),
        ],
    )
    assert found(clean.engine) == []


def test_zone_aware_as_of_is_read_in_utc(clean: Warehouse) -> None:
    add_rows(clean.engine, [("leads", {"lead_id": "l2", "created_at": datetime(2025, 6, 1, 11)})])
    two_hours_east = timezone(timedelta(hours=2))
    # 12:30 at UTC+2 is 10:30 UTC: the lead at 11:00 UTC is in the future.
    assert found(clean.engine, datetime(2025, 6, 1, 12, 30, tzinfo=two_hours_east)) == [
        ("in_the_future", "leads", "created_at", 1, "l2")
    ]
    assert found(clean.engine, datetime(2025, 6, 1, 11, tzinfo=UTC)) == []


# One warehouse with a bit of everything wrong, each row with its own key.
MESSY_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("leads", {}),
    ("leads", {"lead_id": "l2", "created_at": None, "dealer_id": "d9"}),
    ("leads", {"lead_id": "l3", "created_at": datetime(2031, 1, 1), "lead_type": "New Car"}),
    ("leads", {"lead_id": "l4", "consent": False, "lead_type": "never read"}),
    ("lead_activities", {"activity_id": "a2", "lead_id": "l9", "occurred_at": datetime(1970, 1, 1)}),
    ("lead_outcomes", {"lead_id": "l3", "close_reason_code": "zzz"}),
    ("campaign_spend", {"campaign_id": "c9", "spend_date": date(2024, 3, 2), "amount": -1.5}),
    ("dealers", {"dealer_id": "d7", "timezone": "Europe/Atlantis"}),
    ("dealers", {"dealer_id": "d8", "timezone": None}),
    ("dealers", {"dealer_id": "d6", "timezone": "America/Sao_Paulo"}),
]
MESSY_FOUND = [
    ("null_required", "leads", "created_at", 1, "l2"),
    ("in_the_future", "leads", "created_at", 1, "l3"),
    ("unknown_value", "leads", "lead_type", 1, "l3"),
    ("before_2000", "lead_activities", "occurred_at", 1, "a2"),
    ("negative_spend", "campaign_spend", "amount", 1, "c9 / 2024-03-02"),
    ("duplicate_key", "leads", "lead_id", 1, "l1"),
    ("unknown_lead", "lead_activities", "lead_id", 1, "a2"),
    ("unknown_dealer", "leads", "dealer_id", 1, "l2"),
    ("unknown_campaign", "campaign_spend", "campaign_id", 1, "c9 / 2024-03-02"),
    ("unknown_close_reason", "lead_outcomes", "close_reason_code", 1, "l3"),
    ("unknown_time_zone", "dealers", "timezone", 2, "d7"),
]


def test_messy_warehouse_on_duckdb_and_postgresql(warehouse: Warehouse) -> None:
    create_loose_tables(warehouse.engine)
    add_rows(warehouse.engine, [(name, {}) for name in VALID_ROWS] + MESSY_ROWS)
    assert sorted(found(warehouse.engine)) == sorted(MESSY_FOUND)


def test_treatments_fall_back_from_column_to_table_to_check() -> None:
    assert how_treated("null_required", "leads", "created_at").startswith("The lead falls in no period")
    assert how_treated("duplicate_key", "leads", "lead_id").startswith("Each copy is counted as a lead")
    assert how_treated("null_required", "dealers", "dealer_name").startswith("Leads of the dealer")
    assert how_treated("null_required", "leads", "brand").startswith("The row is kept")
    assert set(ROW_KEYS) == set(TABLES)


# --- `leadline check` prints the data-quality section after the schema report -----------------


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def test_cli_reports_a_clean_warehouse(clean: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    clean.engine.dispose()  # DuckDB refuses a read-only connection beside an open read-write one
    code, out = run_check(capsys, "--warehouse", clean.url, "--as-of", "2025-06-01T12:00")
    assert code == 0
    schema_report, quality_report = out.split("\n\nData quality", 1)
    assert schema_report.endswith("The contract holds (0 errors, 0 warnings).")
    assert quality_report.startswith(" (as of 2025-06-01 12:00 UTC, ")
    assert quality_report.endswith("  every check passed.\n")


def test_cli_lists_data_quality_warnings_and_still_exits_0(
    clean: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    add_rows(clean.engine, MESSY_ROWS)
    clean.engine.dispose()
    code, out = run_check(capsys, "--warehouse", clean.url, "--as-of", "2025-06-01")
    assert code == 0
    assert (
        "  - leads.created_at: 1 row empty although the contract requires a value (e.g. l2).\n"
        "    Treated: The lead falls in no period, so it is never counted.\n"
    ) in out
    assert "  - leads.lead_id: 1 key value found in more than one row (e.g. l1).\n" in out
    assert "  - campaign_spend.amount: 1 row negative (e.g. c9 / 2024-03-02).\n" in out
    assert (
        "  - dealers.timezone: 2 rows without a time zone, or with one that is not an IANA name such as "
        "Europe/Rome (e.g. d7).\n    Treated: Read as UTC:"
    ) in out
    assert out.endswith("11 data-quality warnings; they do not break the contract.\n")


def test_cli_skips_data_quality_when_the_schema_is_broken(
    duckdb_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = create_loose_tables(duckdb_warehouse.engine)
    tables["leads"].drop(duckdb_warehouse.engine)
    duckdb_warehouse.engine.dispose()
    code, out = run_check(capsys, "--warehouse", duckdb_warehouse.url)
    assert code == 1
    assert "leads: expected a table or view, found none." in out
    assert "Data quality" not in out


def test_cli_schema_only_skips_data_quality(clean: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    clean.engine.dispose()
    code, out = run_check(capsys, "--warehouse", clean.url, "--schema-only")
    assert code == 0
    assert "The contract holds" in out
    assert "Data quality" not in out


def test_cli_rejects_a_malformed_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["check", "--as-of", "yesterday"])
    assert exited.value.code == 2
    assert "'yesterday' is not an ISO date or time" in capsys.readouterr().err


@pytest.mark.parametrize("check", sorted(DESCRIPTIONS))
def test_every_check_is_documented(check: str) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "data-quality.md").read_text(encoding="utf-8")
    assert f"`{check}`" in doc
