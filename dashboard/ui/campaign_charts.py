"""Drawing for the Campaigns & ROI page: the lead funnel, and cost per lead against conversion."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.ui.charts import COLORS, style, value_axis
from dashboard.ui.format import format_metric, format_value
from dashboard.ui.part_charts import right_aligned_x_title
from metrics.registry import metric

# The colour of each funnel stage, by meaning (dashboard/ui/charts.py).
STAGE_COLORS = {
    "leads": COLORS["leads"],
    "contacted": COLORS["contacted"],
    "reached": COLORS["reached"],
    "appointments": COLORS["appointment"],
    "test_drives": COLORS["appointment"],
    "quotes": COLORS["appointment"],
    "sold": COLORS["sold"],
}


def funnel_figure(stages: pl.DataFrame) -> go.Figure:
    """Leads reaching each stage, with the share of all leads; stages are counted independently."""
    shown = stages.filter(~pl.col("suppressed"))
    # Each stage's count and share go under its name, not beside a narrow bar, where a phone's
    # width cut them off ("297 · 37.4 '").
    fig = go.Figure(
        go.Funnel(
            y=[
                f"{label}<br><b>{format_value(c, 'count')}</b> · {format_value(s, 'percent')}"
                for label, c, s in shown.select("label", "count", "share").iter_rows()
            ],
            x=shown["count"].to_list(),
            marker={"color": [STAGE_COLORS.get(s, COLORS["leads"]) for s in shown["stage"].to_list()]},
            textinfo="none",
            customdata=[format_value(s, "percent") for s in shown["share"].to_list()],
            hovertext=shown["label"].to_list(),
            hovertemplate="%{hovertext}: %{x:,} leads<br>%{customdata} of all leads<extra></extra>",
            connector={"line": {"color": "#dee2e6"}},
        )
    )
    style(fig, height=360)
    fig.update_yaxes(title_text="Stage", showgrid=False)
    fig.update_xaxes(tickformat=",d")
    right_aligned_x_title(fig, "Leads at each stage")
    return fig


def cost_conversion_figure(groups: pl.DataFrame, names: list[str], *, group_title: str) -> go.Figure:
    """Cost per lead (x) against conversion within the window (y: leads old enough to have been sold),
    bubble size = leads, hover = the group's name.

    Weak groups sit bottom right: expensive leads that rarely become sales.
    """
    x_metric, y_metric = metric("cost_per_lead"), metric("conversion_in_window_rate")
    leads = groups["leads"].to_list()
    biggest = max([n for n in leads if n] or [1])
    fig = go.Figure(
        go.Scatter(
            x=groups["cost_per_lead"].to_list(),
            y=groups["conversion_in_window_rate"].to_list(),
            mode="markers",
            marker={
                "size": [8 + 42 * (n / biggest) ** 0.5 if n else 8 for n in leads],
                "color": COLORS["money"],
                "opacity": 0.65,
                "line": {"color": "white", "width": 1},
            },
            customdata=[
                [
                    name,
                    format_metric("cost_per_lead", cpl),
                    format_metric("conversion_in_window_rate", conv),
                    format_value(n, "count"),
                ]
                for name, cpl, conv, n in zip(
                    names, groups["cost_per_lead"], groups["conversion_in_window_rate"], leads, strict=True
                )
            ],
            hovertemplate=f"<b>%{{customdata[0]}}</b><br>{x_metric.label}: %{{customdata[1]}}"
            f"<br>{y_metric.label}: %{{customdata[2]}}<br>Leads: %{{customdata[3]}}<extra>{group_title}</extra>",
        )
    )
    style(fig, height=420)
    value_axis(fig, x_metric, axis="x")
    value_axis(fig, y_metric)
    fig.update_xaxes(showgrid=True, gridcolor="#e9ecef")
    return fig
