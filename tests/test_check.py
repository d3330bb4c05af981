"""Checking a warehouse against the contract: loaders.contract.check and `leadline check`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import (
    BIGINT,
    CHAR,
    DOUBLE_PRECISION,
    INTEGER,
    NUMERIC,
    REAL,
    TIMESTAMP,
    VARCHAR,
    Column,
    Engine,
    Interval,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy import types as sqltypes

from common.errors import ContractError, WarehouseUnavailable
from dashboard.cli import main
from loaders.contract.check import check_contract, require_contract
from loaders.contract.check_schema import ContractProblem, Severity, type_from_name, type_from_sqlalchemy
from loaders.contract.tables import CONTRACT, TABLES, Kind
from loaders.contract.write import create_contract_tables, write_tables
from loaders.warehouse.engine import make_engine
from metrics.taxonomy import default_close_reasons_frame
from tests.conftest import Warehouse

UNREACHABLE_PG = "postgresql+psycopg://leadline:s3cret-pw@127.0.0.1:1/nowhere"


def rebuild_table(
    engine: Engine,
    name: str,
    *,
    drop: Sequence[str] = (),
    rename: Mapping[str, str] | None = None,
    retype: Mapping[str, sqltypes.TypeEngine[object]] | None = None,
    extra: Sequence[Column[object]] = (),
) -> None:
    """Replace contract table ``name`` by a broken copy (DuckDB cannot drop key columns in place)."""
    rename, retype = rename or {}, retype or {}
    columns: list[Column[object]] = [
        Column(rename.get(c.name, c.name), retype.get(c.name, c.type))
        for c in TABLES[name].columns
        if c.name not in drop
    ]
    with engine.begin() as conn:
        conn.execute(text(f'DROP TABLE "{name}"'))
    metadata = MetaData()
    Table(name, metadata, *columns, *extra)
    metadata.create_all(engine)


def seed_rows(engine: Engine) -> None:
    """One row in every contract table, so no table is reported empty."""
    one = {
        "dealers": {
            "dealer_id": "d1",
            "dealer_name": "Nord",
            "dealer_group_id": "g1",
            "dealer_group_name": "G",
        },
        "campaigns": {"campaign_id": "c1", "campaign_name": "Spring", "brand": "B", "channel": "search"},
        "campaign_spend": {
            "campaign_id": "c1",
            "spend_date": date(2024, 3, 1),
            "amount": 10.0,
            "currency": "EUR",
        },
        "leads": {"lead_id": "l1", "created_at": datetime(2024, 3, 1, 10), "brand": "B", "dealer_id": "d1"},
        "lead_activities": {"activity_id": "a1", "lead_id": "l1", "occurred_at": datetime(2024, 3, 1, 10, 5)},
        "lead_outcomes": {"lead_id": "l1"},
    }
    frames = {name: pl.DataFrame([_fill_required(name, row)]) for name, row in one.items()}
    frames["close_reasons"] = default_close_reasons_frame()
    write_tables(engine, frames)


_FILLER: dict[Kind, object] = {
    Kind.TEXT: "x",
    Kind.TIMESTAMP: datetime(2024, 3, 1, 10),
    Kind.DATE: date(2024, 3, 1),
    Kind.NUMERIC: 1.0,
    Kind.BOOLEAN: False,
}


def _fill_required(name: str, row: dict[str, object]) -> dict[str, object]:
    """``row`` with a valid value in every required column it leaves out."""
    filled = dict(row)
    for spec in CONTRACT[name]:
        if spec.name not in filled and not spec.nullable:
            filled[spec.name] = spec.allowed[0] if spec.allowed else _FILLER[spec.kind]
    return filled


def problems_at(problems: Sequence[ContractProblem], where: str) -> list[ContractProblem]:
    return [p for p in problems if p.where == where]


@pytest.fixture
def seeded(warehouse: Warehouse) -> Warehouse:
    create_contract_tables(warehouse.engine)
    seed_rows(warehouse.engine)
    return warehouse


# --- a valid warehouse -----------------------------------------------------------------------


def test_valid_warehouse_has_no_problems(seeded: Warehouse) -> None:
    assert check_contract(seeded.engine) == []
    assert require_contract(seeded.engine) == []


def test_extra_columns_and_tables_are_ignored(seeded: Warehouse) -> None:
    with seeded.engine.begin() as conn:
        conn.execute(text("ALTER TABLE leads ADD COLUMN crm_internal_flag INTEGER"))
        conn.execute(text("CREATE TABLE some_other_table (x INTEGER)"))
    assert check_contract(seeded.engine) == []


def test_views_count_as_tables(seeded: Warehouse) -> None:
    """The hints tell people to fix types in a view, so a view must satisfy the contract."""
    engine = seeded.engine
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE dealers RENAME TO raw_dealers"))
        conn.execute(text("CREATE VIEW dealers AS SELECT * FROM raw_dealers"))
    assert check_contract(engine) == []


def test_empty_tables_are_reported_but_do_not_break_the_contract(warehouse: Warehouse) -> None:
    create_contract_tables(warehouse.engine)
    problems = require_contract(warehouse.engine)
    assert [(p.where, p.severity) for p in problems] == [
        ("leads", Severity.WARNING),
        ("close_reasons", Severity.INFO),
    ]
    assert "no leads yet" in problems[0].hint
    assert "default close-reason taxonomy" in problems[1].hint


# --- a broken warehouse ----------------------------------------------------------------------


def test_missing_table_is_an_error_with_a_suggestion(seeded: Warehouse) -> None:
    with seeded.engine.begin() as conn:
        conn.execute(text("ALTER TABLE lead_outcomes RENAME TO lead_outcome"))
    (problem,) = check_contract(seeded.engine)
    assert (problem.table, problem.column, problem.severity) == ("lead_outcomes", None, Severity.ERROR)
    assert problem.message == "lead_outcomes: expected a table or view, found none."
    assert "did you mean lead_outcome?" in problem.hint


def test_missing_column_suggests_a_close_name(seeded: Warehouse) -> None:
    rebuild_table(seeded.engine, "leads", rename={"created_at": "created_ts"})
    seed_leads_only(seeded.engine)
    (problem,) = check_contract(seeded.engine)
    assert problem.where == "leads.created_at"
    assert problem.severity is Severity.ERROR
    assert problem.found == "no such column"
    assert "did you mean created_ts?" in problem.hint


def seed_leads_only(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO leads (lead_id) VALUES ('l1')"))


def test_missing_optional_column_without_a_close_name_hints_a_null_column(seeded: Warehouse) -> None:
    rebuild_table(seeded.engine, "dealers", drop=["timezone"])
    (problem,) = check_contract(seeded.engine)
    assert problem.where == "dealers.timezone"
    assert "CAST(NULL AS VARCHAR) AS timezone" in problem.hint


@pytest.mark.parametrize(
    ("table", "column", "wrong_type", "found", "hint"),
    [
        ("campaign_spend", "spend_date", VARCHAR(), {"VARCHAR"}, "CAST(spend_date AS DATE)"),
        # DuckDB spells TEXT as VARCHAR
        ("campaign_spend", "amount", Text(), {"TEXT", "VARCHAR"}, "CAST(amount AS NUMERIC)"),
        ("close_reasons", "is_vague", INTEGER(), {"INTEGER"}, "CAST(is_vague AS BOOLEAN)"),
        ("dealers", "dealer_id", INTEGER(), {"INTEGER"}, "keys and codes are text"),
        ("lead_activities", "occurred_at", Interval(), {"INTERVAL"}, "CAST(occurred_at AS TIMESTAMP)"),
    ],
)
def test_wrong_kind_is_an_error_with_a_cast_hint(
    seeded: Warehouse,
    table: str,
    column: str,
    wrong_type: sqltypes.TypeEngine[object],
    found: set[str],
    hint: str,
) -> None:
    rebuild_table(seeded.engine, table, retype={column: wrong_type})
    problems = [p for p in check_contract(seeded.engine) if p.severity is Severity.ERROR]
    assert [p.where for p in problems] == [f"{table}.{column}"]
    assert problems[0].found in found
    assert hint in problems[0].hint


def test_wrong_kind_message_names_table_column_expected_and_found(seeded: Warehouse) -> None:
    rebuild_table(seeded.engine, "leads", retype={"created_at": VARCHAR()})
    seed_leads_only(seeded.engine)
    (problem,) = check_contract(seeded.engine)
    assert problem.describe() == (
        "leads.created_at: expected a timestamp, found VARCHAR. "
        "Hint: cast it in a view: CAST(created_at AS TIMESTAMP)"
    )


def test_timestamp_with_time_zone_is_a_warning(seeded: Warehouse) -> None:
    rebuild_table(seeded.engine, "leads", retype={"delivered_at": TIMESTAMP(timezone=True)})
    seed_leads_only(seeded.engine)
    (problem,) = require_contract(seeded.engine)
    assert (problem.where, problem.severity) == ("leads.delivered_at", Severity.WARNING)
    assert "read" in problem.hint and "UTC" in problem.hint


@pytest.mark.parametrize(
    "accepted_type", [INTEGER(), BIGINT(), REAL(), DOUBLE_PRECISION(), NUMERIC(12, 2)], ids=str
)
def test_any_number_type_is_numeric(seeded: Warehouse, accepted_type: sqltypes.TypeEngine[object]) -> None:
    rebuild_table(seeded.engine, "lead_outcomes", retype={"sale_amount": accepted_type})
    assert check_contract(seeded.engine) == []


@pytest.mark.parametrize("accepted_type", [VARCHAR(), VARCHAR(20), CHAR(2)], ids=str)
def test_any_character_type_is_text(seeded: Warehouse, accepted_type: sqltypes.TypeEngine[object]) -> None:
    rebuild_table(seeded.engine, "dealers", retype={"market": accepted_type})
    assert check_contract(seeded.engine) == []


def test_require_contract_raises_one_error_naming_every_problem(seeded: Warehouse) -> None:
    rebuild_table(seeded.engine, "dealers", drop=["timezone"], retype={"dealer_id": INTEGER()})
    with pytest.raises(ContractError) as caught:
        require_contract(seeded.engine)
    message = caught.value.message
    assert "(2 problems)" in message
    assert "dealers.dealer_id: expected text, found INTEGER." in message
    assert "dealers.timezone: expected a text column, found no such column." in message


# --- an unreachable warehouse ----------------------------------------------------------------


def test_unreachable_postgresql_raises_warehouse_unavailable_without_the_password() -> None:
    with pytest.raises(WarehouseUnavailable) as caught:
        check_contract(make_engine(UNREACHABLE_PG))
    described = caught.value.describe()
    assert "does not answer" in described
    assert "127.0.0.1:1" in described
    assert "s3cret-pw" not in described


def test_missing_duckdb_file_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(WarehouseUnavailable, match="does not exist"):
        make_engine(f"duckdb:///{tmp_path / 'absent.duckdb'}")


# --- the dialect type mapping ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "kind", "with_time_zone"),
    [
        ("VARCHAR", Kind.TEXT, False),
        ("character varying(20)", Kind.TEXT, False),
        ("CHAR(2)", Kind.TEXT, False),
        ("TIMESTAMP", Kind.TIMESTAMP, False),
        ("timestamp without time zone", Kind.TIMESTAMP, False),
        ("TIMESTAMP WITH TIME ZONE", Kind.TIMESTAMP, True),
        ("DATE", Kind.DATE, False),
        ("DECIMAL(10,2)", Kind.NUMERIC, False),
        ("DOUBLE", Kind.NUMERIC, False),
        ("FLOAT", Kind.NUMERIC, False),
        ("BIGINT", Kind.NUMERIC, False),
        ("BOOLEAN", Kind.BOOLEAN, False),
        ("INTERVAL", None, False),
        ("JSON", None, False),
    ],
)
def test_type_names_map_to_kinds(type_name: str, kind: Kind | None, with_time_zone: bool) -> None:
    found = type_from_name(type_name)
    assert (found.kind, found.with_time_zone, found.text) == (kind, with_time_zone, type_name)


@pytest.mark.parametrize(
    ("type_", "kind"),
    [
        (Text(), Kind.TEXT),
        (VARCHAR(10), Kind.TEXT),
        (TIMESTAMP(), Kind.TIMESTAMP),
        (sqltypes.Date(), Kind.DATE),
        (sqltypes.Float(), Kind.NUMERIC),
        (sqltypes.Integer(), Kind.NUMERIC),
        (sqltypes.Boolean(), Kind.BOOLEAN),
        (sqltypes.JSON(), None),
        (sqltypes.NullType(), None),
    ],
    ids=repr,
)
def test_sqlalchemy_types_map_to_kinds(type_: sqltypes.TypeEngine[object], kind: Kind | None) -> None:
    assert type_from_sqlalchemy(type_, "as spelled").kind == kind


# --- the command line ------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, str, str]:
    code = main(["check", "--warehouse", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_exits_0_when_the_contract_holds(seeded: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    seeded.engine.dispose()  # DuckDB refuses a read-only connection beside an open read-write one
    code, out, err = run_cli(capsys, seeded.url)
    assert code == 0
    assert "The contract holds (0 errors, 0 warnings)." in out
    assert err == ""


def test_cli_exits_0_with_warnings(warehouse: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    create_contract_tables(warehouse.engine)
    warehouse.engine.dispose()
    code, out, _ = run_cli(capsys, warehouse.url)
    assert code == 0
    assert "Warnings:\n  - leads: expected rows, found no rows.\n    Hint: no leads yet" in out
    assert "Notes:\n  - close_reasons" in out
    assert "The contract holds (0 errors, 1 warning)." in out


def test_cli_exits_1_and_lists_every_error(seeded: Warehouse, capsys: pytest.CaptureFixture[str]) -> None:
    rebuild_table(seeded.engine, "leads", retype={"created_at": VARCHAR()})
    seed_leads_only(seeded.engine)
    with seeded.engine.begin() as conn:
        conn.execute(text("DROP TABLE campaigns"))
    seeded.engine.dispose()
    code, out, err = run_cli(capsys, seeded.url)
    assert code == 1
    assert "  - campaigns: expected a table or view, found none." in out
    assert (
        "  - leads.created_at: expected a timestamp, found VARCHAR.\n"
        "    Hint: cast it in a view: CAST(created_at AS TIMESTAMP)"
    ) in out
    assert "The contract does not hold: 2 errors, 0 warnings." in out
    assert err == ""


@pytest.mark.parametrize("where", ["postgresql", "duckdb"])
def test_cli_exits_2_when_the_warehouse_cannot_be_reached(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = UNREACHABLE_PG if where == "postgresql" else f"duckdb:///{tmp_path / 'absent.duckdb'}"
    code, out, err = run_cli(capsys, url)
    assert code == 2
    assert out == ""
    assert err.startswith("leadline: ")
    assert "Hint: " in err
    assert "Traceback" not in err
    assert "s3cret-pw" not in err


def test_cli_reads_the_warehouse_setting(
    seeded: Warehouse, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded.engine.dispose()
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", seeded.url)
    assert main(["check"]) == 0
    assert "The contract holds" in capsys.readouterr().out
