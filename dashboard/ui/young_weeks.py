"""Weekly trends of outcomes that draw the weeks too young to judge as such, never as a collapse.

A week whose leads are not all older than the conversion window (``mature_leads < leads``) has
sales still coming in: its raw conversion falls towards 0 % and its conversion within the
window is blank or rests on the few leads of its first days that are old enough (a 0 % on two
leads). Such weeks are left out of the line and drawn as a grey band instead, with a legend
entry and a hover that say "too young: sales not in yet". Their numbers stay in the tables and
exports.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from common import settings
from dashboard.ui import charts
from dashboard.ui.availability import missing_reason
from dashboard.ui.fairness import OUTCOME_METRICS

# Trend metrics whose weeks are judged by their leads' age: outcomes, and conversion within the window.
AGE_JUDGED_METRICS = OUTCOME_METRICS | {"conversion_in_window_rate"}
YOUNG_NAME = "Too young: sales not in yet"
_SHADE = "rgba(138, 143, 152, 0.16)"


def young_weeks(frame: pl.DataFrame) -> pl.Series:
    """True for each row whose leads are not all older than the conversion window (suppressed: False)."""
    if not {"mature_leads", "leads"} <= set(frame.columns):
        return pl.Series("young", [False] * frame.height, dtype=pl.Boolean)
    young = (pl.col("mature_leads") < pl.col("leads")).fill_null(False).alias("young")
    return frame.select(young).to_series()


def weekly_trend(
    frame: pl.DataFrame, metric_name: str, *, target: float | None = None, x: str = "week"
) -> go.Figure:
    """``charts.trend_chart`` of ``metric_name`` per week; for an outcome metric the young weeks
    are a grey band marked too young (see the module docstring), never a drop."""
    young = young_weeks(frame)
    if metric_name not in AGE_JUDGED_METRICS or not young.any() or missing_reason(metric_name) is not None:
        return charts.trend_chart(frame, metric_name, x=x, target=target)
    mature = frame.with_columns(pl.when(young).then(None).otherwise(pl.col(metric_name)).alias(metric_name))
    fig = charts.trend_chart(mature, metric_name, x=x, target=target)
    fig.update_layout(meta={})  # every week young is not "no value": the shading says why
    window = int(settings.get("conversion_window_days"))
    why = f"{YOUNG_NAME}: some leads of the week are younger than {window} days"
    _add_young_shade(fig, frame, young, metric_name, x, why, target)
    fig.update_layout(showlegend=True)
    if mature[metric_name].drop_nulls().drop_nans().is_empty():
        # No week old enough: the axis has no scale to read (a cost would tick €0, €0, €1 ...).
        fig.update_yaxes(showticklabels=False)
        fig.add_annotation(
            # Short lines: the chart is about 230 px wide on a phone.
            text=f"Every week here is too young<br>to judge: leads under {window} days old.<br>"
            "A longer period shows older weeks.",
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
        )
    return fig


def _add_young_shade(
    fig: go.Figure,
    frame: pl.DataFrame,
    young: pl.Series,
    metric_name: str,
    x: str,
    why: str,
    target: float | None,
) -> None:
    """A grey band over the young weeks, in the legend and with a hover of its own."""
    weeks = frame.filter(young)[x].to_list()
    left: date = min(weeks)
    right: date = max(weeks) + timedelta(days=6)
    values = [
        v
        for v, y in zip(frame[metric_name].to_list(), young.to_list(), strict=True)
        if not y and v == v and v is not None
    ]
    top = max([*values, target or 0.0, 0.0]) * 1.08 or 1.0  # no value at all: up to 100 % (or 1)
    bottom = min([*values, 0.0])
    shade = go.Scatter(
        x=[left, right, right, left, left],
        y=[bottom, bottom, top, top, bottom],
        name=YOUNG_NAME,
        mode="lines",
        fill="toself",
        fillcolor=_SHADE,
        line={"width": 0},
        hoveron="fills",
        text=why,
        hoverinfo="text",
    )
    fig.add_trace(shade)
    fig.data = (fig.data[-1], *fig.data[:-1])  # under the lines
