"""The optional opening-hours tables in `leadline check`, and the default_opening_hours setting."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy import text

from common import settings
from common.errors import SettingsError
from common.opening_hours import parse_weekly_hours
from loaders.contract.check import check_contract
from loaders.contract.check_schema import Severity
from loaders.contract.write import write_tables
from tests.conftest import Warehouse
from tests.metric_fixtures import Fixture, lead

HOURS_SCHEMA = {"dealer_id": pl.String, "weekday": pl.Int32, "opens_min": pl.Int32, "closes_min": pl.Int32}


def _problems(warehouse: Warehouse) -> dict[str, tuple[Severity, str]]:
    return {p.where: (p.severity, p.found) for p in check_contract(warehouse.engine) if "dealer_" in p.table}


def test_absent_tables_are_fine(duckdb_warehouse: Warehouse) -> None:
    Fixture(leads=[lead("l1")]).write(duckdb_warehouse.engine)
    assert _problems(duckdb_warehouse) == {}


def test_rows_out_of_range_are_warnings_naming_column_and_count(warehouse: Warehouse) -> None:
    Fixture(leads=[lead("l1")]).write(warehouse.engine)
    hours = [
        ("d1", 1, 480, 1080),  # fine
        ("d1", 8, 480, 1080),  # weekday
        ("d1", 2, -5, 600),  # opens_min
        ("d1", 3, 600, 600),  # closes_min not above opens_min
        ("d1", 4, 600, 1441),  # closes_min above 1440
        ("nobody", 5, 480, 1080),  # unknown dealer
    ]
    closed = [
        ("d1", None, date(2024, 1, 1)),
        (None, None, date(2024, 1, 2)),
        ("ghost", None, date(2024, 1, 3)),
    ]
    write_tables(
        warehouse.engine,
        {
            "dealer_opening_hours": pl.DataFrame(hours, schema=HOURS_SCHEMA, orient="row"),
            "dealer_closed_days": pl.DataFrame(
                closed,
                schema={"dealer_id": pl.String, "market": pl.String, "closed_on": pl.Date},
                orient="row",
            ),
        },
    )
    found = _problems(warehouse)
    assert found == {
        "dealer_opening_hours.weekday": (Severity.WARNING, "1 row with another value"),
        "dealer_opening_hours.opens_min": (Severity.WARNING, "1 row with another value"),
        "dealer_opening_hours.closes_min": (Severity.WARNING, "2 rows with another value"),
        "dealer_opening_hours.dealer_id": (Severity.WARNING, "1 row with another value"),
        "dealer_closed_days.market": (Severity.WARNING, "1 row with another value"),
        "dealer_closed_days.dealer_id": (Severity.WARNING, "1 row with another value"),
    }


def test_a_wrong_column_kind_is_an_error(duckdb_warehouse: Warehouse) -> None:
    Fixture(leads=[lead("l1")]).write(duckdb_warehouse.engine)
    with duckdb_warehouse.engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE dealer_opening_hours (dealer_id VARCHAR, weekday VARCHAR, opens_min INTEGER)")
        )
    found = _problems(duckdb_warehouse)
    assert found["dealer_opening_hours.weekday"] == (Severity.ERROR, "VARCHAR")
    assert found["dealer_opening_hours.closes_min"] == (Severity.ERROR, "no such column")


@pytest.mark.parametrize(
    ("text_value", "intervals"),
    [
        ("Mon-Fri 08:00-18:00; Sat 09:00-13:00", [*((d, 480, 1080) for d in range(1, 6)), (6, 540, 780)]),
        ("mon,wed 08:00-12:00, 14:00-18:00", [(1, 480, 720), (1, 840, 1080), (3, 480, 720), (3, 840, 1080)]),
        ("Sun 00:00-24:00", [(7, 0, 1440)]),
    ],
)
def test_weekly_hours_are_read(text_value: str, intervals: list[tuple[int, int, int]]) -> None:
    assert list(parse_weekly_hours(text_value).intervals) == sorted(intervals)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "names no opening hours"),
        ("Mon-Fri", "write days then times"),
        ("Fri-Mon 08:00-12:00", "a range runs forward"),
        ("Mo 08:00-12:00", "'Mo' is not a day"),
        ("Mon 18:00-08:00", "does not open before it closes"),
        ("Mon 08:75-09:00", "not a time of day"),
    ],
)
def test_a_malformed_default_names_the_setting_and_the_fix(value: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as info:
        settings.get("default_opening_hours", environ={"LEADLINE_DEFAULT_OPENING_HOURS": value or ";"})
    text_out = info.value.describe()
    assert "LEADLINE_DEFAULT_OPENING_HOURS" in text_out and fragment in text_out
