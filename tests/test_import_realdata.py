"""The three real data sets import with the shipped mappings and give the numbers the raw files give.

Expected values are computed here from the raw CSV with Polars, independently of the importer;
actual values come from the warehouse through the dashboard's own loaders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, Text, create_engine, func, select, text

from loaders.contract.tables import TABLES, lead_activities, lead_outcomes, leads
from loaders.imports import defaulted_columns
from loaders.queries.close_reasons import load_lost_by_reason
from loaders.request.query import LeadQuery
from tests.conftest import Warehouse
from tests.import_helpers import (
    MAVEN_PIPELINE,
    MAVEN_TEAMS,
    SECRET,
    UCI,
    XEDUCATION,
    dashboard_counts,
    import_example,
    raw_csv,
    require_realdata,
    snapshot,
)


@pytest.fixture(autouse=True)
def _realdata_and_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    require_realdata()
    monkeypatch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)
    yield


def _imported_once(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A DuckDB warehouse holding one example import, shared by the read-only tests of a module."""
    require_realdata()
    url = f"duckdb:///{tmp_path_factory.mktemp(name) / 'warehouse.duckdb'}"
    engine = create_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEADLINE_PSEUDONYM_SECRET", SECRET)
        import_example(name, engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def xeducation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """X Education imported with examples/mappings/xeducation.toml."""
    yield from _imported_once("xeducation", tmp_path_factory)


@pytest.fixture(scope="module")
def maven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Maven CRM imported with examples/mappings/maven_crm.toml."""
    yield from _imported_once("maven_crm", tmp_path_factory)


def test_xeducation_conversion_rate_is_the_mean_of_converted(xeducation: Engine) -> None:
    raw = raw_csv(XEDUCATION)
    counts = dashboard_counts(xeducation).row(0, named=True)
    expected_rate = raw["Converted"].cast(pl.Int64).mean()
    assert counts["leads"] == raw.height == 9237
    assert counts["sold"] == raw.filter(pl.col("Converted") == "1").height == 3559
    assert counts["sold"] / counts["leads"] == pytest.approx(expected_rate)
    # Every lead with a call disposition in Tags was called once.
    assert counts["contacted"] == raw["Tags"].drop_nulls().len()


# Tags (call dispositions) -> close_reason_code, as examples/mappings/xeducation.toml translates them.
XEDUCATION_REASONS = {
    "not_reached_max_attempts": ("Ringing", "Busy", "switched off"),
    "bought_other_car": ("Lost to EINS", "Lost to Others", "in touch with EINS"),
    "personal_data_incorrect": ("invalid number", "wrong number given"),
    "prefers_other_car": ("Interested in other courses", "Interested  in full time MBA"),
}


@pytest.mark.parametrize(("code", "tags"), XEDUCATION_REASONS.items())
def test_xeducation_close_reasons_come_from_tags(xeducation: Engine, code: str, tags: tuple[str]) -> None:
    raw = raw_csv(XEDUCATION)
    query = LeadQuery(start=date(2000, 1, 1), end=date(2030, 1, 1), as_of=datetime(2031, 1, 1))
    lost = load_lost_by_reason(xeducation, query)
    lost_by_code = dict(zip(lost["close_reason_code"], lost["lost"], strict=True))
    not_converted = raw.filter(pl.col("Tags").is_in(tags) & (pl.col("Converted") == "0"))
    assert lost_by_code.get(code, 0) == not_converted.height > 0
    with xeducation.connect() as conn:
        all_with_code = conn.execute(
            select(func.count()).where(lead_outcomes.c.close_reason_code == code)
        ).scalar_one()
    assert all_with_code == raw.filter(pl.col("Tags").is_in(tags)).height


def test_xeducation_defaults_are_listed_as_defaulted(xeducation: Engine) -> None:
    listed = defaulted_columns(xeducation)
    created = listed.filter((pl.col("table_name") == "leads") & (pl.col("column_name") == "created_at"))
    assert created.select("default_value", "rows").row(0) == ("2019-01-01T00:00:00", 9237)
    sold = listed.filter(pl.col("column_name") == "sold_at")
    assert sold["rows"].to_list() == [3559]
    # A column filled from data is not listed.
    assert "lead_id" not in listed["column_name"].to_list()


def test_uci_subscriptions_are_the_sales(duckdb_warehouse: Warehouse) -> None:
    raw = raw_csv(UCI, separator=";")
    import_example("uci_bank_marketing", duckdb_warehouse.engine)
    counts = dashboard_counts(duckdb_warehouse.engine).row(0, named=True)
    assert counts["leads"] == raw.height == 4119
    assert counts["sold"] == raw.filter(pl.col("y") == "yes").height == 451
    assert counts["lost"] == raw.filter(pl.col("y") == "no").height
    with duckdb_warehouse.engine.connect() as conn:
        no_answer = conn.execute(
            select(func.count()).where(lead_activities.c.result_code == "no_answer")
        ).scalar_one()
        first_lead = conn.execute(select(leads.c.model).where(leads.c.lead_id == "uci-2")).scalar_one()
    assert no_answer == raw.filter(pl.col("duration") == "0").height
    assert first_lead == raw["job"][0]


def _maven_expected() -> pl.DataFrame:
    pipeline = raw_csv(MAVEN_PIPELINE).join(raw_csv(MAVEN_TEAMS), on="sales_agent", how="left")
    return pipeline.group_by("regional_office").agg(
        pl.len().alias("leads"), (pl.col("deal_stage") == "Won").sum().alias("won")
    )


def test_maven_won_share_per_regional_office(maven: Engine) -> None:
    counts = dashboard_counts(maven, ("dealer_id",))
    actual = {r["dealer_id"]: (r["leads"], r["sold"]) for r in counts.iter_rows(named=True)}
    expected = {
        f"maven-{r['regional_office']}": (r["leads"], r["won"])
        for r in _maven_expected().iter_rows(named=True)
    }
    assert actual == expected
    assert expected["maven-Central"] == (3512, 1629)


def _warehouse_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_maven_no_salesperson_name_in_the_warehouse(duckdb_warehouse: Warehouse) -> None:
    teams = raw_csv(MAVEN_TEAMS)
    names = set(teams["sales_agent"]) | set(teams["manager"])
    engine = duckdb_warehouse.engine
    import_example("maven_crm", engine)
    with engine.connect() as conn:
        distinct_actors = conn.execute(
            select(func.count(lead_activities.c.actor_key.distinct()))
        ).scalar_one()
        text_values: set[str] = set()
        for table in TABLES.values():
            for column in table.columns:
                if isinstance(column.type, Text):
                    text_values.update(v for v in conn.execute(select(column).distinct()).scalars() if v)
    engine.dispose()
    stored = _warehouse_bytes(Path(str(engine.url.database)))
    assert distinct_actors == raw_csv(MAVEN_PIPELINE)["sales_agent"].n_unique() == 30
    # Control: the byte search does see stored text (opportunity ids, office names).
    assert b"1C1I7A6R" in stored and b"MavenTech Central" in stored
    assert not [n for n in names if n.encode() in stored]
    assert not [v for v in text_values for n in names if n.casefold() in v.casefold()]


def test_maven_rerun_replaces_instead_of_duplicating(duckdb_warehouse: Warehouse) -> None:
    engine = duckdb_warehouse.engine
    import_example("maven_crm", engine)
    first = snapshot(engine)
    import_example("maven_crm", engine)
    assert snapshot(engine) == first
    assert dashboard_counts(engine).row(0, named=True)["leads"] == 8800


def test_maven_on_postgresql(pg_warehouse: Warehouse) -> None:
    engine = pg_warehouse.engine
    import_example("maven_crm", engine)
    import_example("maven_crm", engine)
    counts = dashboard_counts(engine, ("dealer_id",))
    actual = {r["dealer_id"]: (r["leads"], r["sold"]) for r in counts.iter_rows(named=True)}
    expected = {
        f"maven-{r['regional_office']}": (r["leads"], r["won"])
        for r in _maven_expected().iter_rows(named=True)
    }
    assert actual == expected
    with engine.connect() as conn:
        won_value = conn.execute(text("SELECT SUM(sale_amount) FROM lead_outcomes")).scalar_one()
    raw = raw_csv(MAVEN_PIPELINE).filter(pl.col("deal_stage") == "Won")
    assert float(won_value) == raw["close_value"].cast(pl.Float64).sum()
