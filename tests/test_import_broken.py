"""Broken exports give clear reports (file, row, column, value, fix) and leave the warehouse untouched.

Each broken variant is made in tmp_path from a real data file; the warehouse holds an earlier
good import, and its tables must be exactly the same after the failed import.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, create_engine

from common.errors import WarehouseUnavailable
from dashboard.cli import main
from loaders.imports import ImportRejected, apply_import, load_mapping, parse_mapping, plan_import
from loaders.imports.problems import MASK
from tests.import_helpers import (
    MAPPINGS,
    MAVEN_PIPELINE,
    SECRET,
    UCI,
    XEDUCATION,
    import_example,
    raw_csv,
    require_realdata,
    snapshot,
)

Mutation = Callable[[pl.DataFrame], pl.DataFrame]


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    require_realdata()
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)


@pytest.fixture(scope="module")
def maven_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding a good Maven import, made once per module."""
    require_realdata()
    path = tmp_path_factory.mktemp("maven") / "maven.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)
        import_example("maven_crm", engine)
    engine.dispose()
    return path


@pytest.fixture
def loaded(maven_file: Path, tmp_path: Path) -> str:
    """URL of this test's own copy of the good Maven warehouse."""
    copy = tmp_path / "loaded.duckdb"
    shutil.copy(maven_file, copy)
    return f"duckdb:///{copy}"


def _set_cell(column: str, row: int, value: str) -> Mutation:
    """Put ``value`` in ``column`` of data row ``row`` (0-based; the report calls it row + 2)."""
    return lambda f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )


# id, mapping, [files] name, source file, separator to write with, mutation, report must contain
VARIANTS: list[tuple[str, str, str, Path, str, Mutation, tuple[str, ...]]] = [
    (
        "column_removed",
        "xeducation",
        "leads",
        XEDUCATION,
        ",",
        lambda f: f.drop("Converted"),
        ("xeducation_leads.csv", "The column 'Converted' that the mapping reads is missing"),
    ),
    (
        "date_garbled",
        "maven_crm",
        "pipeline",
        MAVEN_PIPELINE,
        ",",
        _set_cell("engage_date", 10, "2017-02-30"),
        (
            "maven_crm_sales_pipeline.csv, row 12, column 'engage_date -> leads.created_at'",
            "'2017-02-30'",
            "format",
        ),
    ),
    (
        "date_in_the_future",
        "maven_crm",
        "pipeline",
        MAVEN_PIPELINE,
        ",",
        _set_cell("engage_date", 7, "2099-01-01"),
        ("row 9", "'2099-01-01 05:00:00 UTC'", "in the future"),
    ),
    (
        "duplicate_key",
        "maven_crm",
        "pipeline",
        MAVEN_PIPELINE,
        ",",
        lambda f: pl.concat([f, f.head(1)]),
        ("row 8802", "Duplicate key: row 2 has the same lead_id", "'1C1I7A6R'"),
    ),
    (
        "wrong_delimiter",
        "uci_bank_marketing",
        "calls",
        UCI,
        ",",
        lambda f: f,
        ("uci_bank_marketing_additional_10pct.csv", "comma-separated", "delimiter = ','"),
    ),
    (
        "unknown_tag",
        "xeducation",
        "leads",
        XEDUCATION,
        ",",
        _set_cell("Tags", 5, "Abducted by aliens"),
        ("row 7", "'Abducted by aliens'", "does not know this value", "close_reason_code"),
    ),
    (
        "unknown_salesperson",
        "maven_crm",
        "pipeline",
        MAVEN_PIPELINE,
        ",",
        _set_cell("sales_agent", 3, "Zelda Quarterstaff"),
        ("row 5", "No row of maven_crm_sales_teams.csv has this sales_agent", MASK),
    ),
]


@pytest.mark.parametrize(
    ("mapping", "file_name", "source", "separator", "mutate", "expected"),
    [pytest.param(*v[1:], id=v[0]) for v in VARIANTS],
)
def test_broken_variant_is_reported_and_nothing_is_written(
    loaded: str,
    tmp_path: Path,
    mapping: str,
    file_name: str,
    source: Path,
    separator: str,
    mutate: Mutation,
    expected: tuple[str, ...],
) -> None:
    original_separator = ";" if source == UCI else ","
    broken = tmp_path / source.name
    mutate(raw_csv(source, original_separator)).write_csv(broken, separator=separator)
    engine = create_engine(loaded)
    before = snapshot(engine)
    plan = plan_import(load_mapping(MAPPINGS / f"{mapping}.toml"), {file_name: broken}, engine=engine)
    assert not plan.ok
    for fragment in expected:
        assert fragment in plan.report
    assert "Zelda" not in plan.report
    with pytest.raises(ImportRejected):
        apply_import(plan, engine)
    assert snapshot(engine) == before
    engine.dispose()


def test_cli_reports_problems_with_exit_code_2_and_writes_nothing(
    loaded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "pipeline.csv"
    _set_cell("sales_agent", 3, "Zelda Quarterstaff")(raw_csv(MAVEN_PIPELINE)).write_csv(
        broken, separator=";"
    )
    engine = create_engine(loaded)
    before = snapshot(engine)
    engine.dispose()
    args = ["import", "--mapping", str(MAPPINGS / "maven_crm.toml"), "--warehouse", loaded]
    assert main([*args, "--file", f"pipeline={broken}"]) == 2
    output = capsys.readouterr()
    assert "row 5" in output.err and MASK in output.err
    assert "Zelda" not in output.err + output.out
    engine = create_engine(loaded)
    assert snapshot(engine) == before
    engine.dispose()


def test_report_lists_a_limited_number_and_counts_the_rest(tmp_path: Path) -> None:
    broken = tmp_path / "pipeline.csv"
    raw_csv(MAVEN_PIPELINE).with_columns(pl.col("close_date").str.replace_all("-", "/")).write_csv(broken)
    plan = plan_import(load_mapping(MAPPINGS / "maven_crm.toml"), {"pipeline": broken}, limit=5)
    closed = raw_csv(MAVEN_PIPELINE)["close_date"].drop_nulls().len()
    won = raw_csv(MAVEN_PIPELINE).filter(pl.col("deal_stage") == "Won").height
    assert plan.problem_count == closed + won  # sold_at and closed_at both read close_date
    assert len(plan.problems) == 5
    assert f"... and {closed + won - 5} more problem(s)" in plan.report


SMALL_MAPPING = """
name = "small"
[files.campaigns]
path = "campaigns.csv"
[files.spend]
path = "spend.csv"
[files.calls]
path = "calls.csv"
[tables.campaigns]
from = "campaigns"
[tables.campaigns.columns]
campaign_id = "id"
campaign_name = "name"
brand = { value = "Moto" }
channel = { column = "channel", map = { "Google Ads" = "search", "Meta" = "social" } }
[tables.campaign_spend]
from = "spend"
[tables.campaign_spend.columns]
campaign_id = "campaign"
spend_date = { column = "day", format = "%d.%m.%Y" }
amount = { column = "amount", decimal = "," }
currency = { value = "EUR" }
[tables.lead_activities]
from = "calls"
[tables.lead_activities.columns]
activity_id = "call_id"
lead_id = "lead"
occurred_at = "at"
channel = { value = "phone" }
direction = { value = "outbound" }
"""


@pytest.mark.parametrize(
    ("spend", "calls", "expected"),
    [
        (
            "campaign;day;amount\nc1;01.03.2024;-12,50\n",
            "call_id,lead,at\n",
            ("spend.csv, row 2", "'-12.5'", "Spend is negative"),
        ),
        (
            "campaign;day;amount\nc9;01.03.2024;12,50\n",
            "call_id,lead,at\n",
            ("spend.csv, row 2", "'c9'", "No campaigns row has this campaign_id"),
        ),
        (
            "campaign;day;amount\nc1;01.03.2024;12,50\n",
            "call_id,lead,at\na1,no-such-lead,2024-03-01 10:00\n",
            ("calls.csv, row 2", "'no-such-lead'", "No leads row has this lead_id"),
        ),
        (
            "campaign;day;amount\nc1;01.03.2024;1,00\nc1;01.03.2024;2,00\n",
            "call_id,lead,at\n",
            (
                "spend.csv, row 3",
                "Duplicate key: row 2 has the same campaign_id + spend_date",
            ),
        ),
    ],
    ids=["negative_spend", "unknown_campaign", "activity_of_unknown_lead", "duplicate_spend_day"],
)
def test_checks_across_rows_and_tables(
    tmp_path: Path, spend: str, calls: str, expected: tuple[str, ...]
) -> None:
    (tmp_path / "campaigns.csv").write_text("id,name,channel\nc1,Spring,Google Ads\n")
    (tmp_path / "spend.csv").write_text(spend)
    (tmp_path / "calls.csv").write_text(calls)
    mapping = parse_mapping(SMALL_MAPPING, base_dir=tmp_path)
    plan = plan_import(mapping)
    assert not plan.ok
    for fragment in expected:
        assert fragment in plan.report


def test_a_failure_while_writing_rolls_everything_back(loaded: str) -> None:
    engine = create_engine(loaded)
    before = snapshot(engine)
    plan = plan_import(load_mapping(MAPPINGS / "maven_crm.toml"), engine=engine)
    assert plan.ok
    # A plan that passed the checks but breaks the database's NOT NULL on its last table:
    # the deletes and inserts of the earlier tables must be rolled back with it.
    outcomes = plan.frames["lead_outcomes"].with_columns(pl.lit(None, pl.String).alias("lead_id"))
    broken = dataclasses.replace(plan, frames={**plan.frames, "lead_outcomes": outcomes})
    with pytest.raises(WarehouseUnavailable, match="nothing was written"):
        apply_import(broken, engine)
    assert snapshot(engine) == before
    engine.dispose()


def test_dry_run_writes_nothing(loaded: str, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.duckdb"
    mapping = str(MAPPINGS / "uci_bank_marketing.toml")
    assert main(["import", "--mapping", mapping, "--warehouse", f"duckdb:///{fresh}", "--dry-run"]) == 0
    assert not fresh.exists()
    engine = create_engine(loaded)
    before = snapshot(engine)
    engine.dispose()
    assert main(["import", "--mapping", mapping, "--warehouse", loaded, "--dry-run"]) == 0
    engine: Engine = create_engine(loaded)
    assert snapshot(engine) == before
    engine.dispose()
