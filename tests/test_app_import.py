"""The Import page: an example imports into a new DuckDB warehouse and every page sees it; a broken
file shows the report and writes nothing; where the page may not write, it shows the CLI command."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from dashboard.data.import_flow import cli_command, write_target
from loaders.contract.tables import leads
from loaders.warehouse.engine import make_engine
from tests.import_helpers import SECRET, XEDUCATION, raw_csv, require_realdata
from tests.test_app_pages import APP, ROOT

PAGE = str(ROOT / "pages" / "import_data.py")
TINY_MAPPING = """
name = "tiny"
[files.leads]
path = "{path}"
[tables.dealers]
from = "leads"
distinct = true
[tables.dealers.columns]
dealer_id = {{ value = "d1" }}
dealer_name = {{ value = "Dealer One" }}
dealer_group_id = {{ value = "g1" }}
dealer_group_name = {{ value = "Group One" }}
market = {{ value = "DE" }}
[tables.leads]
from = "leads"
[tables.leads.columns]
lead_id = "id"
created_at = "created"
brand = {{ value = "B" }}
dealer_id = {{ value = "d1" }}
source = {{ value = "brand_site" }}
lead_type = {{ value = "other" }}
phone_status = {{ value = "valid" }}
email_status = {{ default = "valid", note = "the export has no e-mail column" }}
"""


def open_import_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on the Import page, writing to ``url`` (which need not exist yet)."""
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", url)
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def paste_mapping(at: AppTest, text: str) -> None:
    at.selectbox(key="import-choice").select("paste").run()
    at.text_area(key="import-mapping-paste").input(text).run()
    if any(b.key == "import-check" for b in at.button):  # a mapping that parses offers the check
        at.button(key="import-check").click().run()
    assert not at.exception


def table(at: AppTest, first_column: str) -> pl.DataFrame:
    """The shown table whose first column is ``first_column``."""
    frame = next(d.value for d in at.dataframe if d.value.columns[0] == first_column)
    return pl.from_pandas(frame) if not isinstance(frame, pl.DataFrame) else frame


def lead_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(leads)).scalar_one())
    finally:
        engine.dispose()


def shown(at: AppTest) -> str:
    parts = [e.value for e in at.error] + [s.value for s in at.success] + [i.value for i in at.info]
    parts += [c.value for c in at.code] + [w.value for w in at.warning] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_the_x_education_example_imports_into_a_new_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_realdata()
    url = f"duckdb:///{tmp_path / 'new.duckdb'}"
    at = open_import_page(url, monkeypatch)
    at.selectbox(key="import-choice").select("xeducation.toml").run()
    at.button(key="import-check").click().run()
    assert not at.exception
    assert "No problems found" in shown(at)
    assert "created_at" in table(at, "Table")["Column"].to_list()  # the defaulted columns
    at.button(key="import-write").click().run()
    assert not at.exception, at.exception
    assert "Imported" in shown(at)
    assert lead_count(url) == raw_csv(XEDUCATION).height
    at.switch_page(str(ROOT / "pages" / "definitions.py")).run()  # the dashboard now lists the defaults
    assert not at.exception
    assert "leads.created_at" in "\n".join(str(e.value) for e in [*at.markdown, *at.caption])


def test_a_broken_file_shows_the_report_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text("id,created\nL1,2026-01-05 10:00\nL2,not a date\n")
    target = tmp_path / "never.duckdb"
    at = open_import_page(f"duckdb:///{target}", monkeypatch)
    paste_mapping(at, TINY_MAPPING.format(path=csv))
    assert "1 problem(s) found; nothing will be written" in shown(at)
    problems = table(at, "File")
    assert problems["Row"].to_list() == [3] and problems["Value"].to_list() == ["not a date"]
    assert problems["File"].to_list() == ["leads.csv"] and problems["Fix"].to_list()[0]
    assert not [b for b in at.button if b.key == "import-write"]
    assert not target.exists()


def test_a_warehouse_the_page_may_not_write_gets_the_cli_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "leads.csv"
    csv.write_text("id,created\nL1,2026-01-05 10:00\nL2,2026-01-06 11:00\n")
    monkeypatch.setenv("LEADLINE_DASHBOARD_IMPORT", "false")
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    at = open_import_page(url, monkeypatch)
    paste_mapping(at, TINY_MAPPING.format(path=csv))
    text = shown(at)
    assert "No problems found" in text and "switched off" in text
    assert f"leadline import --mapping your_mapping.toml --warehouse {url}" in text
    assert not [b for b in at.button if b.key == "import-write"]


def test_a_mapping_error_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = open_import_page(f"duckdb:///{tmp_path / 'w.duckdb'}", monkeypatch)
    paste_mapping(at, "name = 'x'\n[tables.nonsense]\n")
    assert at.error and not at.exception


def test_a_mapping_with_personal_data_explains_the_missing_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = open_import_page(f"duckdb:///{tmp_path / 'w.duckdb'}", monkeypatch)
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", "")
    at.selectbox(key="import-choice").select("maven_crm.toml").run()
    assert "LEADLINE_PSEUDONYM_SECRET" in shown(at)


@pytest.mark.parametrize(
    ("url", "writable", "reason"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", False, "not a DuckDB file"),
        ("duckdb:///:memory:", False, "in-memory"),
        ("duckdb:////no/such/folder/leadline.duckdb", False, "does not exist or cannot be written"),
    ],
)
def test_where_the_page_may_write(url: str, writable: bool, reason: str) -> None:
    target = write_target(url)
    assert target.writable is writable and reason in target.reason


def test_the_cli_command_hides_the_password() -> None:
    command = cli_command("m.toml", "postgresql+psycopg://u:secret@h/db", [("leads", "PATH/TO/leads.csv")])
    assert "secret" not in command
    assert command.startswith("leadline import --mapping m.toml --warehouse ")
    assert command.endswith("--file leads=PATH/TO/leads.csv")
