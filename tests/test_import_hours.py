"""The import mapping fills the optional opening-hours tables (docs/import.md): times as 08:30 or
minutes, market holidays with an empty dealer, re-runs that replace instead of duplicating, every
broken row reported before anything is written, and business minutes that follow the new hours."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from loaders.imports import apply_import, parse_mapping, plan_import
from tests.conftest import Warehouse
from tests.detail_builders import contact, lead, write
from tests.test_business_hours import business_minutes_by_lead

MAPPING = """
name = "hours"
timezone = "Europe/Berlin"

[files.hours]
path = "hours.csv"
[files.holidays]
path = "holidays.csv"

[tables.dealer_opening_hours]
from = "hours"
[tables.dealer_opening_hours.columns]
dealer_id = "Branch"
weekday = "Day"
opens_min = "From"
closes_min = "To"

[tables.dealer_closed_days]
from = "holidays"
[tables.dealer_closed_days.columns]
dealer_id = "Dealer"
market = "Market"
closed_on = { column = "Date", format = "%d.%m.%Y" }
"""
# D1 (Europe/Berlin): a lunch break on Mondays, minutes as numbers on Tuesdays, Saturday mornings.
HOURS = """Branch;Day;From;To
D1;1;08:00;12:00
D1;1;14:00;18:00
D1;2;480;1080
D1;3;08:00;18:00
D1;4;08:00;18:00
D1;5;08:00;18:00
D1;6;09:00;13:00
"""
# Tuesday a public holiday in Germany (every DE dealer), Wednesday D1 alone is closed.
HOLIDAYS = """Market;Dealer;Date
DE;;05.03.2024
;D1;06.03.2024
"""


def _files(folder: Path, hours: str = HOURS, holidays: str = HOLIDAYS) -> Path:
    (folder / "hours.csv").write_text(hours, encoding="utf-8")
    (folder / "holidays.csv").write_text(holidays, encoding="utf-8")
    (folder / "hours.toml").write_text(MAPPING, encoding="utf-8")
    return folder


def _import(warehouse: Warehouse, folder: Path) -> None:
    mapping = parse_mapping(MAPPING, base_dir=folder)
    plan = plan_import(mapping, engine=warehouse.engine, now=datetime(2024, 4, 1))
    assert plan.ok, plan.report
    apply_import(plan, warehouse.engine)


def test_imported_hours_and_closed_days_drive_the_business_minutes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # Monday 11:30 Berlin to Thursday 08:30: 30 + 240 (lunch) on Monday, Tuesday and Wednesday
    # closed, 30 on Thursday = 300 business minutes. With the default hours it was 390+600+600+30.
    row = lead("L1", datetime(2024, 3, 4, 10, 30))
    write(warehouse.engine, [row], [contact(row, (3 * 24 - 3) * 60)])
    assert business_minutes_by_lead(warehouse.engine) == {"L1": 1620.0}

    _import(warehouse, _files(tmp_path))

    assert business_minutes_by_lead(warehouse.engine) == {"L1": 300.0}
    with warehouse.engine.connect() as conn:
        rows = conn.execute(text("SELECT weekday, opens_min, closes_min FROM dealer_opening_hours")).all()
        days = conn.execute(text("SELECT dealer_id, market, closed_on FROM dealer_closed_days")).all()
    assert sorted(rows)[:3] == [(1, 480, 720), (1, 840, 1080), (2, 480, 1080)]
    assert sorted(days, key=str) == sorted(
        [(None, "DE", date(2024, 3, 5)), ("D1", None, date(2024, 3, 6))], key=str
    )


def test_a_rerun_replaces_the_hours_instead_of_adding_to_them(warehouse: Warehouse, tmp_path: Path) -> None:
    write(warehouse.engine, [lead("L1")])
    folder = _files(tmp_path)
    _import(warehouse, folder)
    _import(warehouse, folder)  # the same files again: a holiday's NULL dealer_id matches itself
    _files(tmp_path, hours="Branch;Day;From;To\nD1;1;09:00;17:00\n")  # D1's new week: Mondays only
    _import(warehouse, folder)
    with warehouse.engine.connect() as conn:
        hours = conn.execute(
            text("SELECT dealer_id, weekday, opens_min, closes_min FROM dealer_opening_hours")
        ).all()
        days = conn.execute(text("SELECT count(*) FROM dealer_closed_days")).scalar()
    assert hours == [("D1", 1, 540, 1020)]
    assert days == 2


@pytest.mark.parametrize(
    ("hours", "holidays", "expected"),
    [
        ("Branch;Day;From;To\nD1;8;08:00;18:00\n", HOLIDAYS, "The weekday is not 1 (Monday) to 7 (Sunday)."),
        ("Branch;Day;From;To\nD1;1;24:30;25:00\n", HOLIDAYS, "The opening time is not 00:00 to 23:59."),
        ("Branch;Day;From;To\nD1;1;1440;1440\n", HOLIDAYS, "The opening time is not 00:00 to 23:59."),
        (
            "Branch;Day;From;To\nD1;1;18:00;08:00\n",
            HOLIDAYS,
            "The closing time is not after the opening time",
        ),
        (
            "Branch;Day;From;To\nD1;1;8.5;18:00\n",
            HOLIDAYS,
            "It is not a whole number or a time such as 08:30",
        ),
        ("Branch;Day;From;To\nD9;1;08:00;18:00\n", HOLIDAYS, "No dealers row has this dealer_id"),
        (
            HOURS,
            "Market;Dealer;Date\n;;05.03.2024\n",
            "The closed day names neither a dealer_id nor a market.",
        ),
    ],
    ids=[
        "weekday 8",
        "after midnight",
        "opens at midnight's end",
        "closes before it opens",
        "fraction",
        "unknown dealer",
        "nobody closed",
    ],
)
def test_broken_hours_are_reported_with_their_row_and_nothing_is_written(
    duckdb_warehouse: Warehouse, tmp_path: Path, hours: str, holidays: str, expected: str
) -> None:
    write(duckdb_warehouse.engine, [lead("L1")])
    folder = _files(tmp_path, hours, holidays)
    plan = plan_import(parse_mapping(MAPPING, base_dir=folder), engine=duckdb_warehouse.engine)
    assert not plan.ok
    assert expected in plan.report
    assert "row 2" in plan.report  # the header is row 1
