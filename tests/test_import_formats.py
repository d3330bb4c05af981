"""File formats, encodings, time zones, privacy at the door, and mapping checks of the importer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from common.errors import SettingsError
from loaders.contract.tables import leads
from loaders.imports import MappingError, apply_import, load_mapping, parse_mapping, plan_import
from loaders.imports.pseudonym import email_status, keyed_hash, phone_status
from loaders.imports.readers import sniff_delimiter
from tests.conftest import Warehouse
from tests.import_helpers import MAPPINGS, MAVEN_PIPELINE, SECRET, XEDUCATION, raw_csv, require_realdata


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)


def test_excel_gives_the_same_tables_as_csv(tmp_path: Path) -> None:
    require_realdata()
    workbook = tmp_path / "leads.xlsx"
    raw_csv(XEDUCATION).head(400).write_excel(workbook)
    csv_copy = tmp_path / "leads.csv"
    raw_csv(XEDUCATION).head(400).write_csv(csv_copy)
    mapping = load_mapping(MAPPINGS / "xeducation.toml")
    from_excel = plan_import(mapping, {"leads": workbook.read_bytes()})
    from_csv = plan_import(mapping, {"leads": csv_copy})
    assert from_excel.ok, from_excel.report
    for table, frame in from_csv.frames.items():
        assert from_excel.frames[table].equals(frame), table
    assert from_csv.frames["lead_outcomes"]["sold_at"].is_not_null().sum() > 0


def test_parquet_with_typed_dates_gives_the_same_tables_as_csv(tmp_path: Path) -> None:
    require_realdata()
    typed = raw_csv(MAVEN_PIPELINE).with_columns(
        pl.col("engage_date", "close_date").str.to_date("%Y-%m-%d"), pl.col("close_value").cast(pl.Float64)
    )
    parquet = tmp_path / "pipeline.parquet"
    typed.write_parquet(parquet)
    mapping = load_mapping(MAPPINGS / "maven_crm.toml")
    from_parquet = plan_import(mapping, {"pipeline": parquet})
    from_csv = plan_import(mapping)
    assert from_parquet.ok, from_parquet.report
    for table, frame in from_csv.frames.items():
        assert from_parquet.frames[table].equals(frame), table


CRM_MAPPING = """
name = "crm_pilot"
timezone = "Europe/Rome"
[files.crm]
path = "crm.csv"
placeholders = ["Select", "-"]
personal = ["Nome", "Telefono", "Email"]
[tables.leads]
from = "crm"
[tables.leads.columns]
lead_id = "ID"
created_at = { column = "Creato", format = "%d/%m/%Y %H:%M" }
brand = { value = "Moto" }
dealer_id = { value = "d1" }
source = { value = "brand_site" }
lead_type = { column = "Tipo", map = { "Prova" = "test_drive", "Preventivo" = "quote" } }
model = "Modello"
phone_status = { derive = "phone_status", column = "Telefono" }
email_status = { derive = "email_status", column = "Email" }
customer_key = { derive = "pseudonym", columns = ["Nome", "Email"] }
consent = { column = "Consenso", map = { "Sì" = true, "No" = false } }
[tables.dealers]
from = "crm"
distinct = true
[tables.dealers.columns]
dealer_id = { value = "d1" }
dealer_name = { value = "Moto Roma" }
dealer_group_id = { value = "g1" }
dealer_group_name = { value = "Moto Group" }
market = { value = "IT" }
"""

CRM_ROWS = [
    # ID, Creato, Tipo, Modello, Nome, Telefono, Email, Consenso
    ("L1", "01/07/2024 10:00", "Prova", "Citroën C3", "José Pérez", "+39 347 1234567", "jose@posta.it", "Sì"),
    (
        "L2",
        "15/01/2024 10:00",
        "Preventivo",
        "Ducati Monster",
        " josé  PÉREZ ",
        "000000",
        "JOSE@posta.it",
        "Sì",
    ),
    ("L3", "02/07/2024 09:30", "Prova", "Select", "Anna Müller", "123456789", "test@example.com", "-"),
    ("L4", "02/07/2024 09:45", "Prova", "-", "Zoë Brandt", "12ab", "not-an-email", "No"),
    ("L5", "02/07/2024 09:50", "Preventivo", "Fiat 500", "", "", "", "Sì"),
]


def _crm_csv(path: Path, rows: list[tuple[str, ...]] = CRM_ROWS) -> Path:
    header = "ID;Creato;Tipo;Modello;Nome;Telefono;Email;Consenso"
    lines = [header, *(";".join(f'"{v}"' if " " in v else v for v in row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def test_crlf_semicolon_cp1252_export_with_personal_data(tmp_path: Path, duckdb_warehouse: Warehouse) -> None:
    _crm_csv(tmp_path / "crm.csv")
    plan = plan_import(parse_mapping(CRM_MAPPING, base_dir=tmp_path))
    assert plan.ok, plan.report
    frame = plan.frames["leads"].sort("lead_id")
    # L4 refused consent: never loaded.
    assert frame["lead_id"].to_list() == ["L1", "L2", "L3", "L5"]
    assert plan.skipped == {"leads": 1}
    assert frame["model"].to_list() == ["Citroën C3", "Ducati Monster", None, "Fiat 500"]
    assert frame["lead_type"].to_list() == ["test_drive", "quote", "test_drive", "quote"]
    assert frame["phone_status"].to_list() == ["valid", "placeholder", "placeholder", "missing"]
    assert frame["email_status"].to_list() == ["valid", "valid", "suspicious", "missing"]
    # Europe/Rome is UTC+2 in July, UTC+1 in January.
    assert frame["created_at"].to_list()[:2] == [datetime(2024, 7, 1, 8, 0), datetime(2024, 1, 15, 9, 0)]
    keys = frame["customer_key"].to_list()
    assert keys[0] == keys[1] != keys[2]  # same person, written differently
    assert keys[3] is None and len(keys[0]) == 32
    apply_import(plan, duckdb_warehouse.engine)
    duckdb_warehouse.engine.dispose()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("warehouse.duckdb*"))
    assert b"Citro" in stored  # control: the byte search sees stored text
    for raw in ("José", "Pérez", "Müller", "Zoë", "347 1234567", "3471234567", "jose@posta.it", "posta.it"):
        for encoding in ("utf-8", "cp1252"):
            assert raw.encode(encoding) not in stored, raw


def test_personal_values_are_masked_in_reports(tmp_path: Path) -> None:
    rows = [
        ("L1", "31/03/2024 02:30", "Prova", "C3", "José Pérez", "+39 347 1234567", "jose@posta.it", "Forse")
    ]
    _crm_csv(tmp_path / "crm.csv", rows)
    plan = plan_import(parse_mapping(CRM_MAPPING, base_dir=tmp_path))
    # 02:30 on 31 March 2024 does not exist in Rome (clocks jump from 02:00 to 03:00): imported as
    # 03:30 by the documented rule, with a warning naming the row and value (not a problem).
    assert "row 2 (31/03/2024 02:30)" in plan.notes[0] and "Europe/Rome" in plan.notes[0]
    assert "Creato -> leads.created_at" not in plan.report
    assert "'Forse'" in plan.report
    assert "José" not in plan.report and "347" not in plan.report


def test_personal_data_needs_the_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", "")
    _crm_csv(tmp_path / "crm.csv")
    with pytest.raises(SettingsError, match="LEADLINE_PSEUDONYM_SECRET"):
        plan_import(parse_mapping(CRM_MAPPING, base_dir=tmp_path))


def test_keys_depend_on_secret_and_purpose_only() -> None:
    key = keyed_hash(b"s1", "customer_key", ["Anna Müller"])
    assert key == keyed_hash(b"s1", "customer_key", ["  anna   MÜLLER "])
    assert key != keyed_hash(b"s2", "customer_key", ["Anna Müller"])
    assert key != keyed_hash(b"s1", "actor_key", ["Anna Müller"])
    assert keyed_hash(b"s1", "customer_key", [None, ""]) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "missing"),
        ("  ", "missing"),
        ("000000", "placeholder"),
        ("123456789", "placeholder"),
        ("+49 (0)30 1111111", "valid"),
        ("0049 30 12345678", "valid"),
        ("1111111111", "placeholder"),
        ("12345", "invalid"),
        ("n/a", "invalid"),
        ("+39 347 1234567", "valid"),
        ("1234567890123456", "invalid"),
    ],
)
def test_phone_status(raw: str | None, expected: str) -> None:
    assert phone_status(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "missing"),
        ("", "missing"),
        ("anna@autohaus.de", "valid"),
        ("Anna.Mueller@Autohaus.DE", "valid"),
        ("anna@autohaus", "invalid"),
        ("anna autohaus.de", "invalid"),
        ("test@autohaus.de", "suspicious"),
        ("anna@example.com", "suspicious"),
        ("xxx@autohaus.de", "suspicious"),
    ],
)
def test_email_status(raw: str | None, expected: str) -> None:
    assert email_status(raw) == expected


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ('a;b;c\r\n"1,5";2;3\r\n', ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name,note\n"Rossi; Mario","a;b;c"\n', ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample) == expected


def test_mapping_errors_are_all_reported_at_once() -> None:
    text = """
name = "bad"
timezone = "Mars/Olympus"
[files.crm]
path = "crm.csv"
personal = ["Email"]
[tables.lead]
from = "crm"
[tables.leads]
from = "crm"
[tables.leads.columns]
lead_id = "ID"
created = "Creato"
email_status = "Email"
brand = { value = "Moto", default = "x", colum = "y" }
"""
    with pytest.raises(MappingError) as caught:
        parse_mapping(text)
    message = caught.value.message
    for fragment in (
        "time zone 'Mars/Olympus' is unknown",
        "tables.lead: not a contract table. Did you mean 'leads'?",
        "tables.leads.columns.created: not a column of leads. Did you mean 'created_at'?",
        "'Email' is declared personal and can only be used through derive",
        "unknown key 'colum'. Did you mean 'column'?",
        "required column 'dealer_id' is not mapped",
    ):
        assert fragment in message


def test_shipped_mappings_parse() -> None:
    for path in sorted(MAPPINGS.glob("*.toml")):
        mapping = load_mapping(path)
        assert mapping.tables, path


def test_a_rerun_on_postgresql_keeps_one_row_per_key(tmp_path: Path, pg_warehouse: Warehouse) -> None:
    _crm_csv(tmp_path / "crm.csv")
    mapping = parse_mapping(CRM_MAPPING, base_dir=tmp_path)
    for _ in range(2):
        plan = plan_import(mapping, engine=pg_warehouse.engine)
        assert plan.ok, plan.report
        apply_import(plan, pg_warehouse.engine)
    with pg_warehouse.engine.connect() as conn:
        rows = conn.execute(select(leads.c.lead_id, leads.c.created_at).order_by(leads.c.lead_id)).all()
    assert [r.lead_id for r in rows] == ["L1", "L2", "L3", "L5"]
    assert rows[0].created_at == datetime(2024, 7, 1, 8, 0)
