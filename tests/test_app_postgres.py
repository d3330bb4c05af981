"""Every dashboard page renders on a PostgreSQL warehouse, and its headline numbers are the
metrics table's on that warehouse (the same demo data, copied from DuckDB)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from dashboard.ui.format import format_metric
from loaders.contract.tables import TABLES
from loaders.contract.write import write_tables
from tests.conftest import Warehouse
from tests.test_app_pages import APP, ROOT, texts

PAGES = ("overview.py", "follow_up.py", "delivery.py", "close_reasons.py", "campaigns.py", "definitions.py")
ALL_TIME = {"from": "2000-01-01", "to": "2100-01-01"}


@pytest.fixture
def pg_demo(pg_warehouse: Warehouse, tmp_path: Path) -> Warehouse:
    """The PostgreSQL warehouse holding a small demo network, copied table by table."""
    from loaders.demo.generate import generate_demo

    path = tmp_path / "demo.duckdb"
    generate_demo(path, leads=2000, seed=11)
    source = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    frames: dict[str, pl.DataFrame] = {}
    with source.connect() as conn:
        for name in TABLES:
            rows = conn.execute(text(f'SELECT * FROM "{name}"')).mappings().all()  # names from the contract
            frames[name] = pl.DataFrame([dict(r) for r in rows], infer_schema_length=None)
    source.dispose()
    write_tables(pg_warehouse.engine, frames)
    return pg_warehouse


def test_every_page_renders_on_postgresql_with_the_metrics_tables_numbers(
    pg_demo: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.data.tables import metrics_table
    from dashboard.filters.view import as_of_now
    from loaders.request.query import LeadQuery

    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", pg_demo.url)
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in ALL_TIME.items():
        at.query_params[key] = value
    at.run()
    for page in PAGES:
        at.switch_page(str(ROOT / "pages" / page))
        at.run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
    expected = metrics_table(
        pg_demo.engine, LeadQuery(date(2000, 1, 1), date(2100, 1, 1), as_of_now()), 5
    ).row(0, named=True)
    at.switch_page(str(ROOT / "pages" / "overview.py"))
    at.run()
    shown = texts(at)
    assert expected["leads"] > 0
    assert format_metric("leads", expected["leads"]) in shown
    assert format_metric("follow_up_rate", expected["follow_up_rate"]) in shown
