"""Drawing for the Close reasons and Campaigns pages: lost leads by category and reason (vague
reasons flagged), attempts before write-off, and the close-reason mix per group."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.filters.view import View
from dashboard.ui.charts import CLOSE_CATEGORY_COLORS, COLORS, OTHER_COLOR, style
from dashboard.ui.format import format_value
from dashboard.ui.part_charts import right_aligned_x_title, short_label, stacked_bar

VAGUE_MARK = "⚠ "
CATEGORY_NAMES = {
    "conversion": "Conversion",
    "no_interest": "No interest",
    "not_reached": "Not reached",
    "pollution": "Pollution (bad lead)",
    "other": "Other",
    "unspecified": "Unspecified",
}


def category_name(category: str | None) -> str:
    """A category as people read it ('not_reached' -> 'Not reached')."""
    if category is None:
        return CATEGORY_NAMES["unspecified"]
    return CATEGORY_NAMES.get(category, category.replace("_", " ").capitalize())


def reason_label(label: str | None, code: str | None, is_vague: bool) -> str:
    """The reason's label, marked when it is vague; an unknown code shows the code itself."""
    text = label or (f"'{code}' (not in the taxonomy)" if code else "(no reason given)")
    return f"{VAGUE_MARK}{text}" if is_vague else text


def reasons_figure(reasons: pl.DataFrame) -> go.Figure:
    """Lost leads per reason, one colour per category, grouped by category (biggest first);
    vague reasons carry the ⚠ mark and an ochre outline."""
    shown = reasons.filter(~pl.col("suppressed") & (pl.col("count") > 0))
    totals = shown.group_by("category").agg(pl.col("count").sum().alias("_total"))
    shown = shown.join(totals, on="category", how="left", nulls_equal=True).sort(
        ["_total", "category", "count"], descending=[True, False, True], nulls_last=True
    )
    fig = go.Figure()
    for category in shown["category"].unique(maintain_order=True).to_list():
        rows = shown.filter(pl.col("category").eq_missing(category))
        labels = [
            reason_label(r["label"], r["close_reason_code"], r["is_vague"])
            for r in rows.iter_rows(named=True)
        ]
        vague = rows["is_vague"].to_list()
        fig.add_trace(
            go.Bar(
                y=[short_label(t, 30) for t in labels],  # in full in the hover; a phone keeps room for bars
                x=rows["count"].to_list(),
                orientation="h",
                name=category_name(category),
                marker={
                    "color": CLOSE_CATEGORY_COLORS.get(category or "unspecified", OTHER_COLOR),
                    "line": {"color": [COLORS["vague"] if v else "rgba(0,0,0,0)" for v in vague], "width": 3},
                },
                text=[format_value(c, "count") for c in rows["count"].to_list()],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [t, format_value(s, "percent"), a or "–"]
                    for t, s, a in zip(
                        labels, rows["share"].to_list(), rows["next_action"].to_list(), strict=True
                    )
                ],
                hovertemplate="%{customdata[0]}<br>Lost leads: %{x:,}<br>Share of lost leads: %{customdata[1]}"
                "<br>Next action: %{customdata[2]}<extra>" + category_name(category) + "</extra>",
            )
        )
    style(fig, height=130 + 26 * shown.height, legend=True)
    fig.update_layout(margin={"r": 36})
    fig.update_xaxes(tickformat=",d", rangemode="tozero")
    right_aligned_x_title(fig, "Lost leads (count)")
    if shown.height:
        fig.update_xaxes(range=[0, max(shown["count"].to_list()) * 1.12])
    fig.update_yaxes(
        title_text="Close reason", autorange="reversed", automargin=True, showgrid=False, ticksuffix="  "
    )
    return fig


def attempts_figure(attempts: pl.DataFrame, min_group_size: int) -> go.Figure:
    """Lost leads by the number of qualifying contacts before they were closed."""
    shown = attempts.filter(~pl.col("suppressed"))
    fig = go.Figure(
        go.Bar(
            x=shown["attempts"].to_list(),
            y=shown["count"].to_list(),
            marker_color=[
                COLORS["no_contact"] if a in ("0", "1") else COLORS["lost"] for a in shown["attempts"]
            ],
            text=[format_value(s, "percent") for s in shown["share"].to_list()],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x} attempt(s) before write-off<br>Lost leads: %{y:,}<br>Share of lost: %{text}"
            "<extra></extra>",
        )
    )
    style(fig, height=300)
    fig.update_xaxes(title_text="Qualifying contacts before closing", type="category")
    fig.update_yaxes(title_text="Lost leads (count)", tickformat=",d", rangemode="tozero")
    if shown.height:
        fig.update_yaxes(range=[0, max(shown["count"].to_list()) * 1.15])
    return fig


def category_mix(reasons: pl.DataFrame, dim: str) -> pl.DataFrame:
    """Per group of ``dim`` and category: lost leads and their share of the group's lost leads."""
    per = reasons.group_by(dim, "category", "suppressed").agg(pl.col("count").sum())
    return per.with_columns(
        (pl.col("count") / pl.col("count").sum().over(dim)).alias("share"),
        pl.col("category").fill_null("unspecified"),
    )


def category_mix_figure(mix: pl.DataFrame, dim: str, view: View, *, title: str, top: int) -> go.Figure:
    """Stacked 100 % bars: the ``top`` groups' lost leads (most lost first) split by category."""
    order = (
        mix.group_by(dim, "suppressed")
        .agg(pl.col("count").sum())
        .sort(["suppressed", "count"], descending=[False, True], nulls_last=True)
        .head(top)
    )
    return stacked_bar(
        mix,
        category=dim,
        part="category",
        value="share",
        labels={v: view.label(dim, v) for v in order[dim].to_list()},
        colors=CLOSE_CATEGORY_COLORS,
        part_labels={
            c: category_name(c) for c in (*CLOSE_CATEGORY_COLORS, *mix["category"].unique().to_list())
        },
        value_format="percent",
        value_title="Share of the group's lost leads (%)",
        category_title=title,
        min_group_size=view.min_group_size,
        hover_count="count",
    )
