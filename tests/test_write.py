from __future__ import annotations

from datetime import datetime

import polars as pl
from sqlalchemy import text

from loaders.contract.write import conform, write_tables
from tests.conftest import Warehouse


def test_frame_without_columns_conforms_to_an_empty_table() -> None:
    conformed = conform("dealers", pl.DataFrame())
    assert conformed.height == 0
    assert conformed.columns[0] == "dealer_id"


def test_missing_columns_are_null_and_rows_are_kept(warehouse: Warehouse) -> None:
    frame = pl.DataFrame(
        {
            "lead_id": ["l1", "l2"],
            "created_at": [datetime(2026, 1, 1), datetime(2026, 1, 2)],
            "brand": ["B", "B"],
            "dealer_id": ["d", "d"],
            "source": ["brand_site"] * 2,
            "lead_type": ["quote"] * 2,
            "phone_status": ["valid"] * 2,
            "email_status": ["valid"] * 2,
        }
    )
    write_tables(warehouse.engine, {"leads": frame, "dealers": pl.DataFrame()})
    with warehouse.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(consent) FROM leads")).one() == (2, 0)
        assert conn.execute(text("SELECT count(*) FROM dealers")).scalar_one() == 0
