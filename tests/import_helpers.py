"""Shared helpers of the import tests: where the real data sets and example mappings are."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, inspect, select

from loaders.contract.tables import TABLES
from loaders.imports import ImportPlan, apply_import, load_mapping, plan_import
from loaders.queries.aggregates import load_group_counts
from loaders.request.query import LeadQuery

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
MAPPINGS = REPO / "examples" / "mappings"
SECRET = "test-pseudonym-secret-0123456789abcdef"
XEDUCATION = REALDATA / "xeducation_leads.csv"
UCI = REALDATA / "uci_bank_marketing_additional_10pct.csv"
MAVEN_PIPELINE = REALDATA / "maven_crm_sales_pipeline.csv"
MAVEN_TEAMS = REALDATA / "maven_crm_sales_teams.csv"


def require_realdata() -> None:
    """Skip outside CI when ../shared/realdata is absent; in CI that is a failure."""
    if REALDATA.is_dir():
        return
    if os.environ.get("CI"):
        pytest.fail(f"The real data sets are missing at {REALDATA}")
    pytest.skip(f"The real data sets are not at {REALDATA}")


def raw_csv(path: Path, separator: str = ",") -> pl.DataFrame:
    """A real data file read independently of the importer: all text, as in the file."""
    return pl.read_csv(path, separator=separator, infer_schema=False)


def import_example(name: str, engine: Engine, files: dict[str, Path] | None = None) -> ImportPlan:
    """Plan and write the shipped example mapping ``name``; fails the test on any problem."""
    plan = plan_import(load_mapping(MAPPINGS / f"{name}.toml"), files, engine=engine)
    assert plan.ok, plan.report
    apply_import(plan, engine)
    return plan


def dashboard_counts(engine: Engine, group_by: tuple[str, ...] = ()) -> pl.DataFrame:
    """The per-group counts the dashboard's metrics are computed from, over all time."""
    query = LeadQuery(
        start=date(2000, 1, 1), end=date(2030, 12, 31), as_of=datetime(2031, 1, 1), group_by=group_by
    )
    return load_group_counts(engine, query)


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every contract table, sorted: compare two to prove nothing changed."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            name: sorted(conn.execute(select(table)).all(), key=repr) if name in present else [("absent",)]
            for name, table in TABLES.items()
        }
