"""Hovers say how many leads a figure rests on, and a chart of nothing but zeros is a sentence (issue 15)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.empty_chart import NOTHING_TO_DRAW, nothing_to_draw
from dashboard.ui.format import based_on
from dashboard.ui.part_charts import heat_map, stacked_bar


@pytest.mark.parametrize(
    ("metric", "row", "text"),
    [
        ("follow_up_rate", {"leads": 1234, "contacted": 900}, "on 1,234 leads"),
        ("median_first_response_min", {"leads": 1234, "contacted": 900}, "on 900 contacted leads"),
        ("median_first_response_min", {"leads": 1234}, "on 1,234 leads"),  # no contacted column: the leads
        ("vague_close_rate", {"leads": 50, "lost": 1}, "on 1 lost lead"),
        ("conversion_in_window_rate", {"leads": 80, "mature_leads": 60}, "on 60 leads old enough to judge"),
        ("follow_up_rate", {"leads": None}, ""),
        ("follow_up_rate", {}, ""),
    ],
)
def test_a_figure_names_the_leads_it_rests_on(metric: str, row: dict[str, object], text: str) -> None:
    assert based_on(metric, row) == text


def _bar_app() -> None:
    import polars as pl

    from dashboard.ui.charts import bar_chart, show

    frame = pl.DataFrame(
        {"market": ["IT", "DE"], "leads": [1200, 40], "contacted": [1000, 30], "follow_up_rate": [0.83, 0.75]}
    )
    show(bar_chart(frame, "market", "follow_up_rate", category_title="Market", min_group_size=5), key="b")


def _trend_app() -> None:
    from datetime import date

    import polars as pl

    from dashboard.ui.charts import show, trend_chart

    frame = pl.DataFrame(
        {
            "week": [date(2026, 1, 5), date(2026, 1, 12)],
            "leads": [300, 310],
            "contacted": [200, 100],
            "median_first_response_min": [366.0, 59.0],
        }
    )
    show(trend_chart(frame, "median_first_response_min"), key="t")


def _figure(at: AppTest) -> dict:
    import json

    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_bar_and_trend_hovers_carry_the_lead_counts(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)  # the data profile: every input present
    bars = AppTest.from_function(_bar_app).run()
    assert not bars.exception
    assert _figure(bars)["data"][0]["customdata"] == ["83.0 % (on 1,200 leads)", "75.0 % (on 40 leads)"]
    trend = AppTest.from_function(_trend_app).run()
    assert not trend.exception
    hover = _figure(trend)["data"][0]["customdata"]
    assert hover == ["6 h 6 min (on 200 contacted leads)", "59 min (on 100 contacted leads)"]


def _zero_stacked_app() -> None:
    import polars as pl

    from dashboard.ui.charts import show
    from dashboard.ui.part_charts import stacked_bar

    frame = pl.DataFrame(
        {"g": ["a", "b"], "p": ["x", "x"], "share": [0.0, 0.0], "suppressed": [False, False]}
    )
    fig = stacked_bar(
        frame,
        category="g",
        part="p",
        value="share",
        labels={"a": "A", "b": "B"},
        colors={"x": "#000"},
        value_format="percent",
        value_title="Share",
        category_title="Group",
        min_group_size=5,
    )
    show(fig, key="z")


def test_a_chart_of_zeros_shows_a_sentence_not_bars(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    at = AppTest.from_function(_zero_stacked_app).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert [i.value for i in at.info] == [NOTHING_TO_DRAW]


def _stacked(values: list[float | None]) -> go.Figure:
    frame = pl.DataFrame(
        {"g": ["a", "b"], "p": ["x", "x"], "share": values, "suppressed": [False, False]},
        schema_overrides={"share": pl.Float64},
    )
    return stacked_bar(
        frame,
        category="g",
        part="p",
        value="share",
        labels={"a": "A", "b": "B"},
        colors={"x": "#000"},
        value_format="percent",
        value_title="Share",
        category_title="Group",
        min_group_size=5,
    )


@pytest.mark.parametrize(
    ("figure", "empty"),
    [
        (lambda: _stacked([0.0, 0.0]), True),
        (lambda: _stacked([None, 0.0]), True),
        (lambda: _stacked([0.0, 0.2]), False),
        (
            lambda: heat_map(
                [[None, None], [0.0, None]],
                x=["a", "b"],
                y=["Mon", "Tue"],
                hover=[["", ""], ["", ""]],
                colorscale=[[0, "#fff"], [1, "#000"]],
                value_title="",
                x_title="",
                y_title="",
            ),
            True,
        ),
        (
            lambda: heat_map(
                [[None, 0.4]],
                x=["a", "b"],
                y=["Mon"],
                hover=[["", ""]],
                colorscale=[[0, "#fff"], [1, "#000"]],
                value_title="",
                x_title="",
                y_title="",
            ),
            False,
        ),
        (lambda: go.Figure(go.Funnel(y=["Leads", "Sales"], x=[0, 0])), True),
        (lambda: go.Figure(go.Funnel(y=["Leads", "Sales"], x=[10, 0])), False),
        (lambda: go.Figure(go.Bar(x=["0", "1"], y=[0, 0])), True),  # vertical bars: the values are y
        (lambda: go.Figure(go.Scatter(x=[date(2026, 1, 5)], y=[0.0])), True),  # dates are no values
        (lambda: go.Figure(), True),
    ],
)
def test_nothing_to_draw_reads_the_values_of_every_kind_of_trace(figure: object, empty: bool) -> None:
    assert nothing_to_draw(figure()) is empty  # type: ignore[operator]


def test_table_column_help_says_what_each_row_rests_on(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from metrics.registry import metric
    from tests.test_app_pages import open_page

    at = open_page("overview", demo_url, monkeypatch, {"from": "2000-01-01", "to": "2100-01-01"})
    assert not at.exception
    columns = json.loads(at.dataframe[0].proto.columns)
    rate_help = next(c["help"] for c in columns.values() if c.get("label") == metric("follow_up_rate").label)
    assert rate_help.startswith(metric("follow_up_rate").plain)
    assert "rests on that row's leads" in rate_help


@pytest.mark.parametrize("legend", [False, True])
def test_a_legend_takes_its_room_above_the_plot_not_from_it(legend: bool) -> None:
    """One stacked bar (110 + 30 px) was squeezed to a line once a legend's top margin grew to 100 px."""
    import plotly.graph_objects as go

    from dashboard.ui.charts import COMPACT_TOP_MARGIN, style

    fig = style(go.Figure(), height=140, legend=legend)
    margin = fig.layout.margin
    assert fig.layout.height - margin.t - margin.b == 140 - COMPACT_TOP_MARGIN - 8
