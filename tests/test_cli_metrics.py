"""`leadline metrics`: columns, NULLs, formats, the detail tables, and errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard.cli import main
from metrics.registry import METRIC_COLUMNS
from tests.conftest import Warehouse
from tests.detail_builders import contact, lead, lost, write

PERIOD = ["--start", "2024-03-01", "--end", "2024-03-31", "--as-of", "2024-04-10 00:00:00"]


def _run(args: list[str]) -> int:
    try:
        return main(["metrics", *args])
    except SystemExit as exc:  # argparse's own errors
        return int(exc.code or 0)


def _seed(warehouse: Warehouse) -> str:
    rows = [lead(f"A{i}", dealer_id="D1") for i in range(6)] + [
        lead(f"B{i}", dealer_id="D2") for i in range(2)
    ]
    write(warehouse.engine, rows, [contact(rows[0], 5)], [lost(rows[1], None)])
    warehouse.engine.dispose()  # the CLI opens DuckDB files read-only: let go of the writer first
    return warehouse.url


@pytest.fixture
def url(duckdb_warehouse: Warehouse) -> str:
    return _seed(duckdb_warehouse)


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_header_is_groups_then_the_22_metrics_then_suppressed(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["--warehouse", url, *PERIOD, "--by", "dealer_id,brand", "--min-group-size", "5"]) == 0

    rows = _csv(capsys.readouterr().out)

    assert rows[0] == ["dealer_id", "brand", *METRIC_COLUMNS, "suppressed", "team_suppressed"]
    # D2 has 2 leads < K: every number is an empty field, suppressed is true. D1 is hidden too
    # (complementary suppression): otherwise D2 would be the total minus D1.
    assert [r[:3] for r in rows[1:]] == [["D1", "B", ""], ["D2", "B", ""]]
    assert rows[2][2:-2] == [""] * len(METRIC_COLUMNS) and rows[2][-2:] == ["true", "true"]


def test_repeated_filter_means_any_of_the_values(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--warehouse", url, *PERIOD, "--min-group-size", "1"]
    assert _run([*args, "--filter", "dealer_id=D1", "--filter", "dealer_id=D2"]) == 0
    both = _csv(capsys.readouterr().out)
    assert _run([*args, "--filter", "dealer_id=D2"]) == 0
    one = _csv(capsys.readouterr().out)

    assert both[1][0] == "8" and one[1][0] == "2"


@pytest.mark.parametrize("fmt", ["json", "parquet", "csv"])
def test_out_formats_are_readable(url: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "exports" / f"metrics.{fmt}"
    out.parent.mkdir()

    assert (
        _run(["--warehouse", url, *PERIOD, "--by", "dealer_id", "--min-group-size", "5", "--out", str(out)])
        == 0
    )

    frame = {"json": pl.read_json, "parquet": pl.read_parquet, "csv": pl.read_csv}[fmt](out)
    expected_columns = ["dealer_id", *METRIC_COLUMNS, "suppressed", "team_suppressed"]
    if fmt == "json":
        # Polars' JSON reader does not keep the key order of records with more than 32 keys: read the file.
        assert list(json.loads(out.read_text())[0]) == expected_columns
        frame = frame.select(expected_columns)
    assert frame.columns == expected_columns
    assert frame["suppressed"].to_list() == [True, True]  # D2 < K, D1 its complement
    assert frame["leads"].to_list() == [None, None]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_json_on_standard_output(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--warehouse", url, *PERIOD, "--format", "json", "--min-group-size", "5"]) == 0

    rows = json.loads(capsys.readouterr().out)

    assert rows[0]["leads"] == 8 and rows[0]["suppressed"] is False


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        (
            "close-reasons",
            [
                "dealer_id",
                "category",
                "close_reason_code",
                "label",
                "is_vague",
                "next_action",
                "count",
                "share",
                "suppressed",
            ],
        ),
        ("funnel", ["dealer_id", "stage", "label", "count", "share", "suppressed"]),
        ("response-buckets", ["dealer_id", "bucket", "label", "count", "share", "suppressed", "team_suppressed"]),
        ("double-leads", ["dealer_id", "leads", "double_leads", "double_lead_rate", "suppressed"]),
        (
            "prequalification-gap",
            [
                "dealer_id",
                "complete_leads",
                "complete_follow_up_rate",
                "incomplete_leads",
                "incomplete_follow_up_rate",
                "gap_points",
                "suppressed",
            ],
        ),
    ],
)
def test_detail_tables_export(
    url: str, capsys: pytest.CaptureFixture[str], table: str, columns: list[str]
) -> None:
    assert _run([table, "--warehouse", url, *PERIOD, "--by", "dealer_id", "--min-group-size", "5"]) == 0

    rows = _csv(capsys.readouterr().out)

    assert rows[0] == columns
    assert len(rows) > 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2024-13-01", "--end", "2024-03-31"], "--start '2024-13-01' is not a date"),
        (["--start", "2024-03-31", "--end", "2024-03-01"], "ends (2024-03-01) before it starts"),
        ([*PERIOD, "--by", "dealer"], "Did you mean 'dealer_id'?"),
        ([*PERIOD, "--filter", "dealr_id=D1"], "Did you mean 'dealer_id'?"),
        ([*PERIOD, "--filter", "week=2024-03-04"], "Cannot filter by 'week'"),
        ([*PERIOD, "--filter", "brand"], "is not DIM=VALUE"),
        ([*PERIOD, "--as-of", "yesterday"], "--as-of 'yesterday' is not a date and time"),
        ([*PERIOD, "--min-group-size", "0"], "at least 1"),
        ([*PERIOD, "--format", "xml"], "invalid choice: 'xml'"),
        (["funnels", *PERIOD], "invalid choice: 'funnels'"),
        ([*PERIOD, "--out", "/no/such/folder/m.csv"], "does not exist"),
        ([*PERIOD, "--format", "parquet"], "Add --out PATH"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    url: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert _run(["--warehouse", url, *args]) == 2

    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_out_that_is_a_folder_exits_2(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--warehouse", url, *PERIOD, "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_failed_run_leaves_an_existing_out_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.csv"
    out.write_text("previous\n")
    empty = tmp_path / "empty.duckdb"

    duckdb.connect(str(empty)).close()  # a DuckDB file without the contract tables

    assert _run(["--warehouse", f"duckdb:///{empty}", *PERIOD, "--out", str(out)]) == 2

    assert "could not answer" in capsys.readouterr().err
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.duckdb", "m.csv"]


def test_metrics_cli_on_postgresql(pg_warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    url = _seed(pg_warehouse)

    assert _run(["--warehouse", url, *PERIOD, "--by", "dealer_id", "--min-group-size", "5"]) == 0
    main_rows = _csv(capsys.readouterr().out)
    assert _run(["close-reasons", "--warehouse", url, *PERIOD, "--min-group-size", "5"]) == 0
    reasons = _csv(capsys.readouterr().out)

    assert main_rows[0] == ["dealer_id", *METRIC_COLUMNS, "suppressed", "team_suppressed"]
    assert [r[:2] for r in main_rows[1:]] == [["D1", ""], ["D2", ""]]  # D2 < K, D1 its complement
    assert reasons[1][:2] == ["unspecified", ""] and reasons[1][-3:] == ["1", "1.0", "false"]
