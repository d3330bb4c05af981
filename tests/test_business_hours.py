"""Business minutes (docs/metrics.md): every edge of the definition, on DuckDB and PostgreSQL, both facts paths.

Each case is a dealer (time zone, opening hours, closed days), a lead's created_at and its first
contact (UTC), and the business minutes worked out by hand. ``reference_minutes`` computes the
definition independently in Python (zoneinfo, wall-clock intervals) and must agree with the hand
value; the warehouse must agree with both, computed on the fly and from the materialised facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import polars as pl
import pytest
from sqlalchemy import Engine, select

from common.opening_hours import parse_weekly_hours
from loaders.contract.write import write_tables
from loaders.facts.lead_facts import facts_read_by, lead_facts
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes, reading_facts_from
from loaders.facts.state import connection_of
from loaders.request.query import LeadQuery
from tests.conftest import Warehouse
from tests.metric_fixtures import CAMPAIGNS, contact, lead

WEEKDAYS_8_18 = [(day, 480, 1080) for day in range(1, 6)]
ALWAYS_OPEN = [(day, 0, 1440) for day in range(1, 8)]
DEFAULT_HOURS = parse_weekly_hours("Mon-Fri 08:00-18:00; Sat 09:00-13:00").intervals


@dataclass(frozen=True)
class Case:
    """One dealer, one lead, one first contact, and the expected business minutes."""

    name: str
    tz: str | None
    created: datetime  # UTC
    contacted: datetime  # UTC
    expected: float
    hours: list[tuple[int, int, int]] | None = field(default_factory=lambda: list(WEEKDAYS_8_18))
    closed: list[date] = field(default_factory=list)
    market_holidays: list[date] = field(default_factory=list)
    market: str = "FR"  # the holiday cases use IT (whose holidays are written) and DE


CASES = [
    Case("inside hours", "Europe/Rome", datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 9, 5), 5.0),
    Case(
        "fractional minutes", "Europe/Rome", datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 9, 0, 30), 0.5
    ),
    Case("contact at arrival", "Europe/Rome", datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 9, 0), 0.0),
    # Saturday 19:00 Rome (18:00 UTC), called Monday 08:05 Rome (07:05 UTC): the example.
    Case(
        "weekend lead, Monday call",
        "Europe/Rome",
        datetime(2024, 3, 9, 18, 0),
        datetime(2024, 3, 11, 7, 5),
        5.0,
        hours=list(DEFAULT_HOURS),
    ),
    Case(
        "lead and contact outside hours, same night",
        "Europe/Rome",
        datetime(2024, 3, 5, 19, 0),
        datetime(2024, 3, 5, 22, 0),
        0.0,
    ),
    Case(
        "evening lead, next-morning call",
        "Europe/Rome",
        datetime(2024, 3, 5, 16, 50),  # 17:50 local
        datetime(2024, 3, 6, 7, 10),  # 08:10 local
        20.0,
    ),
    # Friday 17:00 local -> Tuesday 08:30 local, Monday a dealer holiday: 60 + 30.
    Case(
        "across a closed day",
        "Europe/Rome",
        datetime(2024, 3, 8, 16, 0),
        datetime(2024, 3, 12, 7, 30),
        90.0,
        closed=[date(2024, 3, 11)],
    ),
    Case(
        "across a market holiday",
        "Europe/Rome",
        datetime(2024, 3, 8, 16, 0),
        datetime(2024, 3, 12, 7, 30),
        90.0,
        market_holidays=[date(2024, 3, 11)],
        market="IT",
    ),
    Case(
        "another market's holiday does not close",
        "Europe/Rome",
        datetime(2024, 3, 8, 16, 0),
        datetime(2024, 3, 12, 7, 30),
        90.0 + 600.0,
        market_holidays=[date(2024, 3, 11)],
        market="DE",
    ),
    # Split shift 08-12, 14-18: 11:00 -> 15:00 local is 60 + 60.
    Case(
        "split shift",
        "Europe/Rome",
        datetime(2024, 3, 5, 10, 0),
        datetime(2024, 3, 5, 14, 0),
        120.0,
        hours=[(2, 480, 720), (2, 840, 1080)],
    ),
    # Overlapping rows 08-12 and 10-14 count once: 09:00 -> 13:00 local is 240, not 300.
    Case(
        "overlapping rows",
        "Europe/Rome",
        datetime(2024, 3, 5, 8, 0),
        datetime(2024, 3, 5, 12, 0),
        240.0,
        hours=[(2, 480, 720), (2, 600, 840), (2, 650, 700)],
    ),
    Case(
        "Sunday opening",
        "Europe/Rome",
        datetime(2024, 3, 10, 9, 0),  # Sunday 10:00 local
        datetime(2024, 3, 10, 10, 0),
        60.0,
        hours=[(7, 600, 780)],
    ),
    # Europe/Rome springs forward on 2024-03-31 at 02:00 -> 03:00: local 00:00 -> 05:00 is 300 wall-clock minutes.
    Case(
        "Rome spring forward, open all day",
        "Europe/Rome",
        datetime(2024, 3, 30, 23, 0),
        datetime(2024, 3, 31, 3, 0),
        300.0,
        hours=list(ALWAYS_OPEN),
    ),
    Case(
        "Rome spring forward, hours after the change",
        "Europe/Rome",
        datetime(2024, 3, 29, 16, 0),  # Friday 17:00 CET
        datetime(2024, 4, 1, 6, 30),  # Monday 08:30 CEST
        90.0,
    ),
    # Europe/Rome falls back on 2024-10-27 at 03:00 -> 02:00: local 00:00 -> 05:00 is 300 wall-clock minutes.
    Case(
        "Rome fall back, open all day",
        "Europe/Rome",
        datetime(2024, 10, 26, 22, 0),
        datetime(2024, 10, 27, 4, 0),
        300.0,
        hours=list(ALWAYS_OPEN),
    ),
    # Inside the repeated hour: 02:50 CEST, then 02:10 CET (later in UTC, earlier on the wall clock).
    Case(
        "Rome fall back, contact earlier on the wall clock",
        "Europe/Rome",
        datetime(2024, 10, 27, 0, 50),
        datetime(2024, 10, 27, 1, 10),
        0.0,
        hours=list(ALWAYS_OPEN),
    ),
    # America/Sao_Paulo sprang forward at midnight on 2018-11-04 (00:00 -> 01:00): 23:30 -> 01:30 local.
    Case(
        "Sao Paulo spring forward at midnight",
        "America/Sao_Paulo",
        datetime(2018, 11, 4, 2, 30),
        datetime(2018, 11, 4, 3, 30),
        120.0,
        hours=list(ALWAYS_OPEN),
    ),
    # ... and fell back on 2019-02-17 (00:00 -> 23:00 the day before): 23:30 BRST -> 00:30 BRT.
    Case(
        "Sao Paulo fall back at midnight",
        "America/Sao_Paulo",
        datetime(2019, 2, 17, 1, 30),
        datetime(2019, 2, 17, 3, 30),
        60.0,
        hours=list(ALWAYS_OPEN),
    ),
    Case(
        "Sao Paulo business day",
        "America/Sao_Paulo",
        datetime(2024, 3, 5, 20, 0),  # Tuesday 17:00 local
        datetime(2024, 3, 6, 11, 15),  # Wednesday 08:15 local
        75.0,
    ),
    Case(
        "unknown time zone is UTC",
        "Mars/Olympus",
        datetime(2024, 3, 5, 17, 30),
        datetime(2024, 3, 6, 8, 30),
        60.0,
    ),
    Case("no time zone is UTC", None, datetime(2024, 3, 5, 17, 30), datetime(2024, 3, 6, 8, 30), 60.0),
    Case(
        "no hours rows: the default",
        "Europe/Rome",
        datetime(2024, 3, 9, 11, 0),  # Saturday 12:00 local; default Sat 09-13
        datetime(2024, 3, 11, 7, 30),  # Monday 08:30 local
        90.0,
        hours=None,
    ),
    Case(
        "weeks apart",
        "Europe/Rome",
        datetime(2024, 3, 4, 7, 0),  # Monday 08:00 local
        datetime(2024, 3, 18, 7, 0),  # two weeks later
        2 * 5 * 600.0,
    ),
]


def reference_minutes(case: Case) -> float:
    """The definition, independently: wall-clock intervals in the dealer's zone, merged per weekday."""
    if case.contacted <= case.created:
        return 0.0
    zone = ZoneInfo(case.tz) if case.tz in available_timezones() else ZoneInfo("UTC")

    def local(moment: datetime) -> datetime:
        return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)

    start, end = local(case.created), local(case.contacted)
    rows = case.hours if case.hours is not None else list(DEFAULT_HOURS)
    closed = set(case.closed) | (set(case.market_holidays) if case.market == "IT" else set())
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day not in closed:
            for opens, closes in _merged([(o, c) for w, o, c in rows if w == day.isoweekday()]):
                midnight = datetime.combine(day, time())
                low = max(start, midnight + timedelta(minutes=opens))
                high = min(end, midnight + timedelta(minutes=closes))
                total += max(0.0, (high - low).total_seconds() / 60)
        day += timedelta(days=1)
    return total


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for opens, closes in sorted(spans):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_reference_agrees_with_the_hand_value(case: Case) -> None:
    assert reference_minutes(case) == pytest.approx(case.expected, abs=1e-9)


def _write(engine: Engine, cases: list[Case], *, with_tables: bool = True) -> None:
    dealers, leads, activities, hours, closed = [], [], [], [], []
    for i, case in enumerate(cases):
        dealer = f"d{i}"
        dealers.append(
            {
                "dealer_id": dealer,
                "dealer_name": case.name,
                "dealer_group_id": "g",
                "dealer_group_name": "G",
                "market": case.market,
                "timezone": case.tz,
            }
        )
        leads.append(lead(f"l{i}", case.created, dealer_id=dealer))
        activities.append(contact(f"l{i}", case.contacted))
        for weekday, opens, closes in case.hours or []:
            hours.append({"dealer_id": dealer, "weekday": weekday, "opens_min": opens, "closes_min": closes})
        closed += [{"dealer_id": dealer, "market": None, "closed_on": day} for day in case.closed]
        closed += [{"dealer_id": None, "market": "IT", "closed_on": day} for day in case.market_holidays]
    frames: dict[str, Any] = {
        "dealers": pl.DataFrame(dealers),
        "campaigns": pl.DataFrame(CAMPAIGNS),
        "leads": pl.DataFrame(leads),
        "lead_activities": pl.DataFrame(activities),
    }
    if with_tables:
        schema_hours = {
            "dealer_id": pl.String,
            "weekday": pl.Int32,
            "opens_min": pl.Int32,
            "closes_min": pl.Int32,
        }
        frames["dealer_opening_hours"] = pl.DataFrame(hours, schema=schema_hours)
        frames["dealer_closed_days"] = pl.DataFrame(
            closed, schema={"dealer_id": pl.String, "market": pl.String, "closed_on": pl.Date}
        )
    write_tables(engine, frames, replace=True)


QUERY = LeadQuery(date(2018, 1, 1), date(2025, 12, 31), datetime(2026, 1, 1))


def business_minutes_by_lead(engine: Engine) -> dict[str, float | None]:
    """lead_id -> first_response_bh_min, read the way every table function reads (probed setup)."""
    forget_probes()
    with connection_of(engine) as conn, reading_facts_from(conn):
        facts = lead_facts(QUERY, business_hours=True)
        rows = conn.execute(select(facts.c.lead_id, facts.c.first_response_bh_min)).all()
    return {lead_id: None if value is None else float(value) for lead_id, value in rows}


def test_every_edge_on_both_warehouses_and_both_facts_paths(warehouse: Warehouse) -> None:
    _write(warehouse.engine, CASES)
    on_the_fly = business_minutes_by_lead(warehouse.engine)
    expected = {f"l{i}": case.expected for i, case in enumerate(CASES)}
    assert on_the_fly == pytest.approx(expected, abs=1e-6), {
        CASES[int(k[1:])].name: (v, expected[k])
        for k, v in on_the_fly.items()
        if abs((v or 0) - expected[k]) > 1e-6
    }
    refresh_lead_facts(warehouse.engine, full=True)
    materialised = business_minutes_by_lead(warehouse.engine)
    assert materialised == on_the_fly  # to the bit: same SQL, same types


def test_without_the_optional_tables_every_dealer_gets_the_default(warehouse: Warehouse) -> None:
    cases = [c for c in CASES if c.hours is None or c.hours == list(DEFAULT_HOURS)]
    cases += [
        Case(
            "default, closed days ignored",
            "Europe/Rome",
            datetime(2024, 3, 8, 16, 0),
            datetime(2024, 3, 12, 7, 30),
            0,
        )
    ]
    _write(warehouse.engine, cases, with_tables=False)
    found = business_minutes_by_lead(warehouse.engine)
    for i, case in enumerate(cases):
        plain = Case(case.name, case.tz, case.created, case.contacted, 0, hours=None)
        assert found[f"l{i}"] == pytest.approx(reference_minutes(plain), abs=1e-6), case.name


def test_the_default_follows_the_setting(
    duckdb_warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = Case(
        "default", "Europe/Rome", datetime(2024, 3, 10, 9, 0), datetime(2024, 3, 10, 10, 0), 0, hours=None
    )
    _write(duckdb_warehouse.engine, [case], with_tables=False)
    assert business_minutes_by_lead(duckdb_warehouse.engine)["l0"] == 0.0  # Sunday: closed by default
    monkeypatch.setenv("LEADLINE_DEFAULT_OPENING_HOURS", "Sun 10:00-10:30")
    assert business_minutes_by_lead(duckdb_warehouse.engine)["l0"] == 30.0


def test_a_lead_never_contacted_has_no_business_minutes(duckdb_warehouse: Warehouse) -> None:
    _write(duckdb_warehouse.engine, CASES[:1])
    write_tables(
        duckdb_warehouse.engine,
        {"lead_activities": pl.DataFrame(schema={"lead_id": pl.String})},
        replace=True,
    )
    assert business_minutes_by_lead(duckdb_warehouse.engine) == {"l0": None}


def test_outside_a_table_call_the_defaults_apply(duckdb_warehouse: Warehouse) -> None:
    """Without the probe (a bare lead_facts), the optional tables are not read and zones count as UTC."""
    case = Case(
        "bare", "Europe/Rome", datetime(2024, 3, 5, 9, 0), datetime(2024, 3, 5, 10, 0), 0, hours=[(2, 0, 30)]
    )
    _write(duckdb_warehouse.engine, [case])
    with duckdb_warehouse.engine.connect() as conn, facts_read_by(None):
        facts = lead_facts(QUERY, business_hours=True)
        (value,) = conn.execute(select(facts.c.first_response_bh_min)).one()
    assert value == 60.0
