"""Missing data is not failure: which inputs a warehouse lacks, and what that does to the numbers.

Unit tables for the pure rules (metrics/availability.py), the warehouse counts on DuckDB and
PostgreSQL (loaders/contract/availability.py) over the Olist-like fixture and the demo, and the
default period that opens on the latest data.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dashboard.data.profile import data_profile
from dashboard.filters.url_state import Choices, decode, default_state
from dashboard.ui.coverage_charts import status_comparison_note
from loaders.contract.availability import load_contents
from loaders.contract.write import create_contract_tables
from metrics.availability import (
    INPUT_REASONS,
    METRIC_INPUTS,
    DataProfile,
    absent_inputs,
    blank_missing,
)
from metrics.registry import BY_NAME
from tests.conftest import Warehouse
from tests.olist_like import LAST_DAY, fill_olist_like

ALL_PRESENT = dict.fromkeys(
    ("activities", "outcomes", "spend", "delivery", "appointments", "sales", "closures", "gross_profit"), True
)


def test_every_metric_input_has_a_reason_and_every_listed_metric_is_registered() -> None:
    for name, inputs in METRIC_INPUTS.items():
        assert name in BY_NAME, name
        assert set(inputs) <= set(INPUT_REASONS), name


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"leads": 8000, "has_rows": ALL_PRESENT, "times_of_day": 50, "time_zones": 3}, set()),
        (
            {
                "leads": 8000,
                "has_rows": ALL_PRESENT | {"activities": False},
                "times_of_day": 50,
                "time_zones": 1,
            },
            {"activities"},
        ),
        # Local midnight in one zone with daylight saving: two clock times in UTC.
        (
            {"leads": 8000, "has_rows": ALL_PRESENT, "times_of_day": 2, "time_zones": 1},
            {"time_of_day", "contact_times"},
        ),
        # Four zones may give up to eight clock times and still be dates only.
        (
            {"leads": 8000, "has_rows": ALL_PRESENT, "times_of_day": 8, "time_zones": 4},
            {"time_of_day", "contact_times"},
        ),
        ({"leads": 8000, "has_rows": ALL_PRESENT, "times_of_day": 9, "time_zones": 4}, set()),
        # A handful of leads can share a clock time by chance: no verdict below 20 leads.
        ({"leads": 5, "has_rows": ALL_PRESENT, "times_of_day": 1, "time_zones": 1}, set()),
        # An empty warehouse lacks nothing: its pages say "no leads".
        (
            {"leads": 0, "has_rows": dict.fromkeys(ALL_PRESENT, False), "times_of_day": 0, "time_zones": 0},
            set(),
        ),
        (
            {
                "leads": 9237,
                "has_rows": ALL_PRESENT,
                "times_of_day": 50,
                "time_zones": 1,
                "defaulted": [("leads", "delivered_at"), ("lead_activities", "occurred_at")],
            },
            {"delivery", "contact_times"},
        ),
        (
            {
                "leads": 9237,
                "has_rows": ALL_PRESENT,
                "times_of_day": 50,
                "time_zones": 1,
                "defaulted": [("leads", "created_at")],
            },
            {"time_of_day", "contact_times"},
        ),
    ],
)
def test_absent_inputs(kwargs: dict[str, object], expected: set[str]) -> None:
    assert absent_inputs(**kwargs) == expected  # type: ignore[arg-type]


def test_a_profile_names_the_first_missing_input_of_each_metric() -> None:
    profile = DataProfile(absent=frozenset({"activities", "spend"}))
    assert profile.missing_reason("follow_up_rate") == INPUT_REASONS["activities"]
    assert profile.missing_reason("cost_per_sale") == INPUT_REASONS["spend"]
    assert profile.missing_reason("leads") is None
    assert profile.missing_reason("conversion_rate") is None
    assert set(profile.missing(("leads", "follow_up_rate", "roi", "sold"))) == {"follow_up_rate", "roi"}


def test_blank_missing_empties_only_the_metrics_not_in_the_data() -> None:
    frame = pl.DataFrame(
        {"group": ["a"], "leads": [10], "follow_up_rate": [0.0], "spend": [0.0], "sold": [2]}
    )
    out = blank_missing(frame, DataProfile(absent=frozenset({"activities", "spend"})))
    assert out.row(0, named=True) == {
        "group": "a",
        "leads": 10,
        "follow_up_rate": None,
        "spend": None,
        "sold": 2,
    }
    assert out.schema == frame.schema


def test_the_olist_like_warehouse_lacks_activities_delivery_spend_profit_and_times(
    warehouse: Warehouse,
) -> None:
    fill_olist_like(warehouse.engine)
    contents = load_contents(warehouse.engine)
    assert contents.has_rows == ALL_PRESENT | {
        "activities": False,
        "spend": False,
        "delivery": False,
        "appointments": False,
        "gross_profit": False,
    }
    assert contents.times_of_day == 2  # 02:00 and 03:00 UTC: midnight in São Paulo
    assert contents.time_zones == 1
    assert contents.last_day == LAST_DAY
    profile = data_profile(warehouse.engine)
    assert profile.absent == {
        "activities",
        "spend",
        "delivery",
        "appointments",
        "gross_profit",
        "time_of_day",
        "contact_times",
    }
    assert profile.missing_reason("conversion_rate") is None


def test_a_warehouse_without_contract_tables_lacks_nothing_it_could_show(warehouse: Warehouse) -> None:
    contents = load_contents(warehouse.engine)
    assert contents.leads == 0 and contents.last_day is None
    create_contract_tables(warehouse.engine)
    assert data_profile(warehouse.engine).absent == frozenset()


def test_the_demo_warehouse_lacks_nothing(demo_url: str) -> None:
    from loaders.warehouse.engine import make_engine

    engine = make_engine(demo_url)
    try:
        assert data_profile(engine).absent == frozenset()
    finally:
        engine.dispose()


def test_an_empty_default_period_moves_onto_the_latest_30_days_with_data() -> None:
    today = date(2026, 11, 27)
    assert default_state(today, date(2018, 5, 31)).start == date(2018, 5, 2)
    assert default_state(today, date(2018, 5, 31)).end == date(2018, 5, 31)
    # Data within the last 30 days: the default stays on today.
    assert default_state(today, date(2026, 11, 20)) == default_state(today)
    state, dropped = decode({}, choices=Choices(), today=today, data_end=date(2018, 5, 31))
    assert (state.start, state.end, dropped) == (date(2018, 5, 2), date(2018, 5, 31), [])
    # A link with a period keeps it, even an empty one.
    state, _ = decode({"from": ["2026-11-01"], "to": ["2026-11-27"]}, Choices(), today, data_end=LAST_DAY)
    assert (state.start, state.end) == (date(2026, 11, 1), date(2026, 11, 27))


def _status(kind: str, rows: list[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {kind: [r[0] for r in rows], "leads": [r[1] for r in rows]},
        schema={kind: pl.String, "leads": pl.Int64},
    )


@pytest.mark.parametrize(
    ("phone", "email", "expected"),
    [
        (
            [("valid", 8000)],
            [("valid", 8000)],
            "All leads have the same contact-data status (phone number valid and e-mail address valid)",
        ),
        ([("valid", 8000), ("missing", 3)], [("valid", 8003)], "Not enough leads per contact-data status"),
    ],
)
def test_the_contact_status_note_says_what_is_really_the_case(
    phone: list[tuple[str, int]], email: list[tuple[str, int]], expected: str
) -> None:
    note = status_comparison_note(_status("phone_status", phone), _status("email_status", email), 5)
    assert note.startswith(expected)


def test_docs_explain_every_input() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text()
    section = doc.split("## Not in your data", 1)[1].split("\n## ", 1)[0]
    for name in INPUT_REASONS:
        assert f"| `{name}` |" in section, name


def test_every_metric_but_leads_names_its_inputs() -> None:
    """A new metric must say what it rests on, or a warehouse without it would show it as 0."""
    assert set(BY_NAME) - set(METRIC_INPUTS) == {"leads"}
