"""The demo warehouse: contract, determinism, end date, atomic replacement and the CLI."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine

from dashboard.cli import main
from loaders.contract.check import check_contract
from loaders.contract.check_schema import Severity
from loaders.contract.tables import CONTRACT, OPTIONAL_TABLES, Kind
from loaders.demo.generate import DemoError, atomic_output, generate_demo
from tests.demo_helpers import END, one, write_demo

DUCKDB_KINDS = {
    "VARCHAR": Kind.TEXT,
    "TIMESTAMP": Kind.TIMESTAMP,
    "DATE": Kind.DATE,
    "BOOLEAN": Kind.BOOLEAN,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A 5,000-lead demo warehouse, opened read-only."""
    con = write_demo(tmp_path_factory.mktemp("demo"), 5_000)
    yield con
    con.close()


def content_hash(path: Path) -> str:
    """A digest of every row of every contract table, in a fixed order."""
    digest = hashlib.sha256()
    with duckdb.connect(str(path), read_only=True) as con:
        for table in CONTRACT:
            for row in con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


# --- contract and determinism --------------------------------------------------------------


def test_every_contract_table_has_exactly_the_contract_columns_and_kinds(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    for table, specs in CONTRACT.items():
        described = demo.execute(f"DESCRIBE {table}").fetchall()
        assert [row[0] for row in described] == [s.name for s in specs], table
        for (name, sql_type, *_), spec in zip(described, specs, strict=True):
            kind = Kind.NUMERIC if sql_type.startswith("DECIMAL") else DUCKDB_KINDS[sql_type]
            assert kind is spec.kind, f"{table}.{name} is {sql_type}"
        rows = one(demo, f"SELECT count(*) FROM {table}")
        # The optional result_codes table is left empty: the demo shows the default taxonomy at work.
        assert rows == 0 if table in OPTIONAL_TABLES else rows > 0, table


def test_leadline_check_finds_no_contract_problem(demo: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    row = demo.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    assert row is not None
    # A copy: DuckDB refuses a second connection to a file open with other settings in this process.
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(row[0], copy)
    engine = create_engine(f"duckdb:///{copy}")
    try:
        problems = check_contract(engine)
    finally:
        engine.dispose()
    assert [p.message for p in problems if p.severity is not Severity.INFO] == []


def test_same_seed_and_end_give_the_same_content_and_another_seed_does_not(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    generate_demo(first, leads=2_000, seed=11, end=END)
    generate_demo(again, leads=2_000, seed=11, end=END)
    generate_demo(other, leads=2_000, seed=12, end=END)
    assert content_hash(first) == content_hash(again)
    assert content_hash(first) != content_hash(other)


def test_the_data_ends_on_the_end_date_after_395_days(demo: duckdb.DuckDBPyConnection) -> None:
    first, last = demo.execute("SELECT min(created_at), max(created_at) FROM leads").fetchone() or (
        None,
        None,
    )
    assert last.date() == END
    assert END - timedelta(days=395) <= first.date() <= END - timedelta(days=393)
    cutoff = datetime.combine(END + timedelta(days=1), datetime.min.time())
    for table, column in [
        ("lead_activities", "occurred_at"),
        ("leads", "delivered_at"),
        ("lead_outcomes", "closed_at"),
        ("lead_outcomes", "sold_at"),
        ("lead_outcomes", "appointment_at"),
    ]:
        assert one(demo, f"SELECT max({column}) FROM {table}") < cutoff, f"{table}.{column}"
    assert one(demo, "SELECT max(spend_date) FROM campaign_spend") == END


def test_without_end_the_cli_writes_nothing_later_than_now(tmp_path: Path) -> None:
    out = tmp_path / "now.duckdb"
    before = datetime.now(UTC).replace(tzinfo=None)
    assert main(["demo", "--leads", "2000", "--out", str(out)]) == 0
    after = datetime.now(UTC).replace(tzinfo=None)
    with duckdb.connect(str(out), read_only=True) as con:
        latest = con.execute(
            "SELECT greatest((SELECT max(created_at) FROM leads), (SELECT max(occurred_at) FROM lead_activities),"
            " (SELECT max(closed_at) FROM lead_outcomes))"
        ).fetchone()
    assert latest is not None
    assert latest[0] <= after
    assert latest[0].date() in (before.date(), after.date())


# --- writing the file ------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_scratch_file(tmp_path: Path) -> None:
    target = tmp_path / "demo.duckdb"
    target.write_bytes(b"the previous warehouse")
    with pytest.raises(RuntimeError), atomic_output(target) as scratch:
        scratch.write_bytes(b"half written")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"the previous warehouse"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


def test_a_reader_of_the_old_file_keeps_reading_it_while_it_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "demo.duckdb"
    generate_demo(target, leads=500, seed=1, end=END)
    with duckdb.connect(str(target), read_only=True) as reader:
        generate_demo(target, leads=800, seed=1, end=END)
        assert one(reader, "SELECT count(*) FROM leads") == 500
    with duckdb.connect(str(target), read_only=True) as fresh:
        assert one(fresh, "SELECT count(*) FROM leads") == 800
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb"]


def test_a_negative_seed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="seed must be 0 or more"):
        generate_demo(tmp_path / "demo.duckdb", leads=10, seed=-1, end=END)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_out_path_is_reported_and_the_old_file_kept(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(DemoError, match="Cannot create the folder"):
        generate_demo(blocker / "demo.duckdb", leads=100, seed=1, end=END)
    assert blocker.read_text() == "a file where a folder should be"


# --- the command line ------------------------------------------------------------------------


def test_the_cli_writes_the_file_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "demo.duckdb"
    assert main(["demo", "--leads", "1500", "--seed", "3", "--end", "2025-06-30", "--out", str(out)]) == 0
    assert out.exists()
    assert f"Wrote {out}: 1,500 leads" in capsys.readouterr().out
    with duckdb.connect(str(out), read_only=True) as con:
        assert one(con, "SELECT count(*) FROM leads") == 1500


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--leads", "0"], "--leads must be at least 1"),
        (["--leads", "many"], "--leads 'many' is not a whole number"),
        (["--leads", "60000000"], "more than the demo supports"),
        (["--seed", "-3"], "--seed must be at least 0"),
        (["--end", "2025-13-01"], "--end '2025-13-01' is not a date"),
        (["--end", "yesterday"], "--end 'yesterday' is not a date"),
    ],
)
def test_bad_arguments_give_a_message_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    out = tmp_path / "demo.duckdb"
    assert main(["demo", "--out", str(out), *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Hint:" in err
    assert "Traceback" not in err
    assert not out.exists()
