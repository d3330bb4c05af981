"""Shared by the demo tests: the end date, SQL fragments, and tiny query helpers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from loaders.demo.generate import generate_demo

END = date(2025, 6, 30)
# Follow-up as the metric registry defines it: an outbound, non-automated contact at or after created_at.
FOLLOWED = """
    EXISTS (SELECT 1 FROM lead_activities a WHERE a.lead_id = l.lead_id AND a.direction = 'outbound'
            AND a.automated IS NOT TRUE AND a.occurred_at >= l.created_at)
"""
LOST = "o.closed_at IS NOT NULL AND o.sold_at IS NULL"
VAGUE = """(o.close_reason_code IS NULL OR trim(o.close_reason_code) = ''
    OR o.close_reason_code NOT IN (SELECT code FROM close_reasons)
    OR o.close_reason_code IN (SELECT code FROM close_reasons WHERE is_vague))"""


def write_demo(folder: Path, leads: int, seed: int = 7) -> duckdb.DuckDBPyConnection:
    """A demo warehouse of ``leads`` leads ending on END, opened read-only."""
    path = folder / "demo.duckdb"
    generate_demo(path, leads=leads, seed=seed, end=END)
    return duckdb.connect(str(path), read_only=True)


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    """The single value ``sql`` returns."""
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def values(con: duckdb.DuckDBPyConnection, sql: str) -> set[object]:
    """The first column of every row ``sql`` returns."""
    return {row[0] for row in con.execute(sql).fetchall()}
