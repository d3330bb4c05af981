"""One format everywhere: a table cell reads exactly like the tile ("6 h 6 min", "+1,120 %", "€31,647"),
sorts by the number beneath it, and a day never reads "00:00:00" (issue 15)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from dashboard.ui.format import MISSING, format_value
from dashboard.ui.table_format import format_day, styled_table
from metrics.registry import BY_NAME
from tests.test_app_pages import ROOT, open_page


def _cells(frame: pl.DataFrame, formats: dict[str, str]) -> list[list[str]]:
    """The text each cell shows (rows of the Styler's display values, header dropped)."""
    text = styled_table(frame, formats).hide(axis="index").to_string(delimiter="\t")  # type: ignore[arg-type]
    return [line.split("\t") for line in text.splitlines()[1:]]


@pytest.mark.parametrize(
    ("fmt", "value", "shown"),
    [
        ("minutes", 366.0, "6 h 6 min"),
        ("minutes", 42.0, "42 min"),
        ("ratio", 11.2, "+1,120 %"),
        ("percent", 0.873, "87.3 %"),
        ("money", 31647.07, "€31,647"),
        ("money", 14.5, "€14.50"),
        ("count", 12345, "12,345"),
        ("number", 2.25, "2.2"),
    ],
)
def test_a_table_cell_reads_like_the_tile(fmt: str, value: float, shown: str) -> None:
    assert format_value(value, fmt) == shown  # type: ignore[arg-type]
    assert _cells(pl.DataFrame({"x": [value]}), {"x": fmt}) == [[shown]]


def test_the_table_keeps_the_numbers_so_sorting_is_by_value_not_by_text() -> None:
    frame = pl.DataFrame({"median": [366.0, 59.0, 1500.0, None]})
    styler = styled_table(frame, {"median": "minutes"})
    assert styler.data["median"].iloc[:3].tolist() == [366.0, 59.0, 1500.0]  # numbers, not "6 h 6 min"
    assert [row[0] for row in _cells(frame, {"median": "minutes"})] == [
        "6 h 6 min",
        "59 min",
        "1 d 1 h",
        MISSING,
    ]


def test_days_read_as_days_never_with_midnight() -> None:
    frame = pl.DataFrame(
        {
            "day": [date(2026, 1, 5)],
            "midnight": [datetime(2026, 1, 5)],
            "timed": [datetime(2026, 1, 5, 9, 12)],
        }
    )
    assert _cells(frame, {}) == [["5 Jan 2026", "5 Jan 2026", "5 Jan 2026 09:12"]]
    assert format_day(None) == MISSING


def test_a_float_without_a_format_is_not_drawn_with_six_decimals() -> None:
    assert _cells(pl.DataFrame({"share": [0.5]}), {}) == [["0.5"]]


def _display(proto: object) -> pd.DataFrame:
    """The texts the grid draws: the Styler's display values Streamlit sends with the table."""
    return pa.ipc.open_stream(proto.arrow_data.styler.display_values).read_pandas()  # type: ignore[attr-defined]


def test_page_tables_show_durations_and_roi_like_the_tiles(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Campaigns' table draws every number through the tiles' formatter: no '5.7 h', no '+1120 %'."""
    at = open_page("overview", demo_url, monkeypatch, {"from": "2000-01-01", "to": "2100-01-01"})
    at.switch_page(str(ROOT / "pages" / "campaigns.py"))
    at.run()
    assert not at.exception
    table = at.dataframe[0]
    for name, config in json.loads(table.proto.columns).items():
        assert not config.get("format"), f"a column format would override the shared formatter: {name}"
    raw, shown = table.value, _display(table.proto)
    checked = [c for c in raw.columns if c in BY_NAME]
    assert {"roi", "cost_per_lead", "leads"} <= set(checked)
    for column in checked:
        for row, value in enumerate(raw[column]):
            expected = MISSING if pd.isna(value) else format_value(value, BY_NAME[column].format)
            assert shown.iloc[row, raw.columns.get_loc(column)] == expected, column


def test_exports_write_days_without_midnight() -> None:
    from dashboard.ui.export import export_frame

    frame = pl.DataFrame({"week": [datetime(2026, 1, 5), None], "at": [datetime(2026, 1, 5, 9, 12), None]})
    out = export_frame(frame, min_group_size=5)
    assert out.write_csv().splitlines()[1] == "2026-01-05,2026-01-05T09:12:00.000000"


def test_no_campaign_means_no_cost_of_any_kind_not_zero() -> None:
    """The "(none)" row (leads without a campaign) spent nothing: every cost reads "–", never €0.00."""
    from dashboard.ui.availability import no_spend_for_unassigned

    frame = pl.DataFrame(
        {
            "campaign_id": [None, "c1"],
            "spend": [0.0, 100.0],
            "cost_per_lead": [0.0, 10.0],
            "cost_per_reached_lead": [0.0, 20.0],
        }
    )
    shown = no_spend_for_unassigned(frame, "campaign_id")
    assert shown.row(0, named=True) == {
        "campaign_id": None,
        "spend": None,
        "cost_per_lead": None,
        "cost_per_reached_lead": None,
    }
    assert shown.row(1, named=True)["cost_per_reached_lead"] == 20.0
