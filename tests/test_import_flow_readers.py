"""The Import page writes into the DuckDB file the dashboard itself is reading."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from dashboard.data.import_flow import release_readers
from loaders.contract.write import create_contract_tables
from loaders.warehouse.engine import make_engine


def test_a_writer_can_open_the_file_after_the_readers_spare_connection_is_released(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    setup = make_engine(url, read_only=False)
    create_contract_tables(setup)
    setup.dispose()
    reader = make_engine(url)
    with reader.connect() as conn:  # leaves the gate's spare read-only connection open
        assert conn.execute(text("SELECT count(*) FROM leads")).scalar_one() == 0
    release_readers(url)
    writer = make_engine(url, read_only=False)
    try:
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO close_reasons VALUES ('x', 'other', 'X', false, NULL)"))
    finally:
        writer.dispose()
    with reader.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM close_reasons")).scalar_one() == 1
    reader.dispose()
