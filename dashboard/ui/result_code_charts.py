"""Drawing for lead quality from call result codes: the best-outcome mix per group (Campaigns) and
attempted against reached per group (Follow-up coverage)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.filters.view import View
from dashboard.ui.charts import COLORS, style
from dashboard.ui.format import based_on, format_value
from dashboard.ui.part_charts import stacked_bar
from metrics.registry import metric
from metrics.result_codes import BEST_OUTCOMES

# Best outcome -> colour, best first (keys: metrics.result_codes.BEST_OUTCOMES).
OUTCOME_COLORS: dict[str, str] = {
    "appointment": COLORS["appointment"],
    "reached": COLORS["reached"],
    "not_reached": "#f3c0bb",
    "invalid_contact": "#a86b32",  # contact data that could never work: brown, as pollution
    "other": "#b9bfc7",
    "unknown": COLORS["vague"],
    "uncoded": "#dfe3e8",
    "not_contacted": COLORS["no_contact"],
}
OUTCOME_LABELS: dict[str, str] = {o.name: o.label for o in BEST_OUTCOMES}

# How the lead-quality bars can be ordered: the URL value -> its label.
QUALITY_SORTS: dict[str, str] = {
    "invalid": "Most invalid contact data",
    "reached": "Least reached",
    "leads": "Most leads",
}


def quality_order(groups: pl.DataFrame, dim: str, sort: str, top: int) -> list[Any]:
    """The ``top`` groups of ``dim`` (rows of a metrics table) in the order ``sort`` asks for:
    highest invalid_contact_rate, lowest reach_rate, or most leads; suppressed groups last."""
    key, descending = {"invalid": ("invalid_contact_rate", True), "reached": ("reach_rate", False)}.get(
        sort, ("leads", True)
    )
    ordered = groups.sort(["suppressed", key, "leads"], descending=[False, descending, True], nulls_last=True)
    return ordered[dim].head(top).to_list()


def best_outcome_figure(
    dist: pl.DataFrame, dim: str, view: View, *, title: str, order: list[Any]
) -> go.Figure:
    """Stacked 100 % bars: each group's leads split by their best result-code outcome."""
    shown = dist.filter(pl.col(dim).is_in(order, nulls_equal=True))
    # An outcome no shown group has (e.g. 'other' with the default taxonomy) gets no legend entry.
    present = shown.group_by("outcome").agg(pl.col("count").sum()).filter(pl.col("count") > 0)["outcome"]
    return stacked_bar(
        shown.filter(pl.col("outcome").is_in(present.to_list())),
        category=dim,
        part="outcome",
        value="share",
        labels={v: view.label(dim, v) for v in order},
        colors=OUTCOME_COLORS,
        part_labels=OUTCOME_LABELS,
        value_format="percent",
        value_title="Share of the group's leads (%)",
        category_title=title,
        min_group_size=view.min_group_size,
        hover_count="count",
    )


def attempted_reached_figure(groups: pl.DataFrame, dim: str, view: View, *, title: str) -> go.Figure:
    """Per group, follow-up rate (attempted) and reach rate side by side; suppressed groups left out."""
    shown = groups.filter(~pl.col("suppressed"))
    names = [view.label(dim, v) for v in shown[dim].to_list()]
    fig = go.Figure()
    for name, color in (("follow_up_rate", COLORS["contacted"]), ("reach_rate", COLORS["reached"])):
        m = metric(name)
        values = shown[name].to_list()
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                orientation="h",
                name="Attempted (follow-up rate)" if name == "follow_up_rate" else m.label,
                marker_color=color,
                text=[format_value(v, "percent") for v in values],
                textposition="auto",  # inside a long bar, beside a short one: never cut off at the edge
                cliponaxis=False,
                customdata=[
                    f" ({b})" if (b := based_on(name, row)) else "" for row in shown.iter_rows(named=True)
                ],
                hovertemplate="%{y}<br>" + m.label + ": %{text}%{customdata}<extra></extra>",
            )
        )
    style(fig, height=120 + 44 * max(shown.height, 1), legend=True)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Share of its leads (%)", tickformat=".0%", range=[0, 1.12])
    fig.update_yaxes(title_text=title, autorange="reversed", automargin=True, showgrid=False, ticksuffix="  ")
    return fig
