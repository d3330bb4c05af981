"""Import friction seen with the Olist marketing funnel: a local time that did not exist, one misspelt
column followed by hundreds of knock-on lines, the report naming the wrong file, a sale before its lead."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import polars as pl

from loaders.imports import parse_mapping, plan_import
from loaders.imports.convert import to_utc

OLIST_MAPPING = """
name = "olist_funnel"
timezone = "America/Sao_Paulo"
[files.mql]
path = "mql.csv"
[files.deals]
path = "deals.csv"
[tables.dealers]
from = "mql"
distinct = true
[tables.dealers.columns]
dealer_id = { value = "olist" }
dealer_name = { value = "Olist" }
dealer_group_id = { value = "olist" }
dealer_group_name = { value = "Olist" }
market = { value = "BR" }
[tables.leads]
from = "mql"
[tables.leads.columns]
lead_id = "mql_id"
created_at = { column = "first_contact_date", format = "%d-%m-%Y" }
brand = { value = "Olist" }
dealer_id = { value = "olist" }
source = { column = "origin", default = "unknown" }
lead_type = { value = "other" }
phone_status = { value = "valid" }
email_status = { value = "valid" }
[tables.lead_outcomes]
from = "deals"
[tables.lead_outcomes.columns]
lead_id = "mql_id"
sold_at = { column = "won_date", format = "%d-%m-%Y" }
closed_at = { column = "won_date", format = "%d-%m-%Y" }
"""


def write_files(folder: Path, *, leads: int = 40, gap_rows: int = 3, early_sales: int = 0) -> None:
    days = ["15-10-2017"] * gap_rows + ["02-03-2018"] * (leads - gap_rows)
    pl.DataFrame(
        {"mql_id": [f"m{i}" for i in range(leads)], "first_contact_date": days, "origin": ["social"] * leads}
    ).write_csv(folder / "mql.csv")
    won = ["01-01-2017"] * early_sales + ["30-03-2018"] * (leads // 2 - early_sales)
    pl.DataFrame({"mql_id": [f"m{i}" for i in range(leads // 2)], "won_date": won}).write_csv(
        folder / "deals.csv"
    )


def test_a_local_time_in_a_daylight_saving_gap_moves_forward_by_the_gap() -> None:
    # Midnight on 15 Oct 2017 did not exist in São Paulo: clocks jumped from 00:00 to 01:00 (UTC-2).
    shown = to_utc(pl.Series(["15-10-2017", "14-10-2017"]), ("%d-%m-%Y",), "America/Sao_Paulo").to_list()
    assert shown == [datetime(2017, 10, 15, 3, 0), datetime(2017, 10, 14, 3, 0)]
    # 02:30 on 31 Mar 2024 did not exist in Berlin: read as 03:30 CEST = 01:30 UTC.
    berlin = to_utc(pl.Series(["2024-03-31 02:30"]), ("%Y-%m-%d %H:%M",), "Europe/Berlin")
    assert berlin.to_list() == [datetime(2024, 3, 31, 1, 30)]


def test_gap_rows_import_with_a_warning_instead_of_blocking(tmp_path: Path) -> None:
    write_files(tmp_path, gap_rows=7)
    plan = plan_import(parse_mapping(OLIST_MAPPING, base_dir=tmp_path))
    assert plan.ok, plan.report
    assert "not a date and time in the expected format" not in plan.report
    assert plan.frames["leads"]["created_at"].null_count() == 0
    assert len(plan.notes) == 1
    note = plan.notes[0]
    assert "7 value(s) of first_contact_date -> leads.created_at" in note
    assert "did not exist in America/Sao_Paulo (clocks jumped forward)" in note and "row 2" in note
    assert f"warning: {note}" in plan.summary()


def test_a_misspelt_column_is_reported_once_without_knock_on_lines(tmp_path: Path) -> None:
    write_files(tmp_path)
    plan = plan_import(parse_mapping(OLIST_MAPPING.replace('"origin"', '"orign"'), base_dir=tmp_path))
    assert not plan.ok
    assert plan.problem_count == 1, plan.report
    assert "The column 'orign' that the mapping reads is missing" in plan.report
    assert "Did you mean 'origin'?" in plan.report
    assert "Import the leads rows too" not in plan.report


def test_the_report_names_the_file_actually_read(tmp_path: Path) -> None:
    write_files(tmp_path)
    other = tmp_path / "other.csv"
    pl.read_csv(tmp_path / "mql.csv").rename({"origin": "channel_x"}).write_csv(other)
    plan = plan_import(parse_mapping(OLIST_MAPPING, base_dir=tmp_path), {"mql": other})
    assert "other.csv" in plan.report and "mql.csv" not in plan.report, plan.report


def test_the_cli_report_names_the_file_given_with_file(tmp_path: Path) -> None:
    write_files(tmp_path)
    other = tmp_path / "other.csv"
    pl.read_csv(tmp_path / "mql.csv").drop("origin").write_csv(other)
    mapping = tmp_path / "olist.toml"
    mapping.write_text(OLIST_MAPPING)
    command = [sys.executable, "-m", "dashboard.cli", "import", "--mapping", str(mapping), "--dry-run"]
    command += ["--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}", "--file", f"mql={other}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "other.csv" in result.stdout + result.stderr
    assert "mql.csv" not in result.stdout + result.stderr


def test_a_sale_dated_before_its_lead_is_flagged(tmp_path: Path) -> None:
    write_files(tmp_path, early_sales=2)
    plan = plan_import(parse_mapping(OLIST_MAPPING, base_dir=tmp_path))
    assert plan.problem_count == 2, plan.report
    assert "The sale is dated before its lead was created." in plan.report
    assert "deals.csv, row 2" in plan.report
