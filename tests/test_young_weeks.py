"""Weekly outcome trends draw the weeks too young to judge as such: a grey band explained in the
legend and hover, never as a drop to 0 % and never as a bare gap (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.ui.charts import EMPTY_STATE
from dashboard.ui.young_weeks import YOUNG_NAME, weekly_trend, young_weeks

MONDAYS = [date(2025, 3, 3) + timedelta(weeks=i) for i in range(6)]


@pytest.fixture(autouse=True)
def no_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The data profile reads the configured warehouse: none here, so nothing is missing."""
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", f"duckdb:///{tmp_path / 'absent' / 'none.duckdb'}")


def weeks(mature: list[int | None], window_rate: list[float | None]) -> pl.DataFrame:
    """Six weeks of 100 leads each; raw conversion falls as the weeks get younger."""
    return pl.DataFrame(
        {
            "week": MONDAYS,
            "leads": [100] * 6,
            "mature_leads": mature,
            "conversion_in_window_rate": window_rate,
            "conversion_rate": [0.1, 0.1, 0.1, 0.06, 0.02, 0.0],
            "follow_up_rate": [0.9] * 6,
            "suppressed": [False] * 6,
        },
        schema_overrides={"mature_leads": pl.Int64, "conversion_in_window_rate": pl.Float64},
    )


# Three mature weeks, one straddling the window (40 of its leads are old enough), two too young.
MIXED = weeks([100, 100, 100, 40, 0, 0], [0.1, 0.12, 0.11, 0.09, None, None])


def _trace(fig: go.Figure, name: str) -> go.Scatter:
    return next(t for t in fig.data if t.name == name)


def test_young_weeks_are_those_with_leads_younger_than_the_window() -> None:
    assert young_weeks(MIXED).to_list() == [False, False, False, True, True, True]
    hidden = MIXED.with_columns(
        pl.lit(None, pl.Int64).alias("mature_leads"), pl.lit(True).alias("suppressed")
    )
    assert not young_weeks(hidden).any()  # a suppressed week is a gap, as always


@pytest.mark.parametrize("name", ["conversion_in_window_rate", "conversion_rate"])
def test_young_weeks_are_a_grey_band_and_never_part_of_the_line(name: str) -> None:
    fig = weekly_trend(MIXED, name)
    labels = {"conversion_in_window_rate": "Conversion within 90 days", "conversion_rate": "Conversion rate"}
    solid = _trace(fig, labels[name])
    assert list(solid.y[3:]) == [None, None, None]  # no drop to 0 %: the line ends at the last mature week
    assert list(solid.y[:3]) == MIXED[name].to_list()[:3]
    assert len(fig.data) == 2  # the line and the band: no value of a young week is drawn
    shade = _trace(fig, YOUNG_NAME)
    assert fig.data[0] is shade and shade.fill == "toself" and shade.hoveron == "fills"
    assert min(shade.x) == MONDAYS[3] and max(shade.x) == MONDAYS[5] + timedelta(days=6)
    assert "younger than 90 days" in shade.text
    assert fig.layout.showlegend


@pytest.mark.parametrize("name", ["conversion_in_window_rate", "cost_per_sale"])
def test_a_view_of_only_young_weeks_is_shaded_and_says_so_without_a_scale(name: str) -> None:
    frame = weeks([0] * 6, [None] * 6).with_columns(pl.lit(250.0).alias("cost_per_sale"))
    fig = weekly_trend(frame, name)
    assert not (fig.layout.meta or {}).get(EMPTY_STATE)
    shade = _trace(fig, YOUNG_NAME)
    assert max(shade.y) == pytest.approx(1.0)  # the band fills the chart
    # No tick labels of a made-up 0-1 scale (a cost would read €0, €0, €1), and a sentence instead.
    assert fig.layout.yaxis.showticklabels is False
    assert [a.text for a in fig.layout.annotations if "too young<br>to judge" in a.text]


def test_a_view_with_a_mature_week_keeps_its_scale() -> None:
    fig = weekly_trend(MIXED, "conversion_in_window_rate")
    assert fig.layout.yaxis.showticklabels is not False and not fig.layout.annotations


def test_metrics_that_do_not_wait_for_sales_are_drawn_as_before() -> None:
    fig = weekly_trend(MIXED, "follow_up_rate")
    assert [t.name for t in fig.data] == ["Follow-up rate"]
    assert list(fig.data[0].y) == [0.9] * 6


@pytest.mark.parametrize("count", [6, 16, 17, 53])
def test_week_ticks_fall_on_the_mondays_the_points_stand_for(count: int) -> None:
    """Plotly's own weekly ticks fall on Sundays ("26 Jul" for the week of Monday 27 Jul)."""
    mondays = [date(2025, 3, 3) + timedelta(weeks=i) for i in range(count)]
    frame = pl.DataFrame({"week": mondays, "leads": [100] * count, "follow_up_rate": [0.9] * count})
    ticks = list(weekly_trend(frame, "follow_up_rate").layout.xaxis.tickvals)
    assert ticks[0] == mondays[0] and len(ticks) <= 16
    assert all(tick.weekday() == 0 for tick in ticks)
