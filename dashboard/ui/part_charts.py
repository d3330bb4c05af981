"""Charts of parts of a whole: stacked horizontal bars and heat maps, in the shared look.

A group whose numbers are suppressed gets no bar (a zero bar would lie) and the words
'fewer than K leads' at the axis; a suppressed heat-map cell stays blank and its hover says
why. Long names are shortened on the axis and given in full in the hover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard.ui.charts import OTHER_COLOR, style
from dashboard.ui.format import format_value, suppressed_text
from metrics.registry import Format

MAX_LABEL = 40
STACKED_LABEL = 26  # stacked bars need their width: names are shorter there (in full in the hover)
_TICKS: dict[str, dict[str, str]] = {"percent": {"tickformat": ".0%"}, "count": {"tickformat": ",d"}}


def short_label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the full text goes into the hover)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unique_axis_labels(labels: Sequence[str], limit: int = MAX_LABEL) -> list[str]:
    """Shortened labels, made unique (Plotly would merge two bars with the same name)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        short = short_label(label, limit)
        seen[short] = seen.get(short, 0) + 1
        out.append(short if seen[short] == 1 else f"{short} ({seen[short]})")
    return out


def stacked_bar(
    frame: pl.DataFrame,
    *,
    category: str,
    part: str,
    value: str,
    labels: Mapping[str, str],
    colors: Mapping[str, str],
    value_format: Format,
    value_title: str,
    category_title: str,
    min_group_size: int,
    part_labels: Mapping[str, str] | None = None,
    hover_count: str | None = None,
) -> go.Figure:
    """Horizontal bars per ``category`` (in ``labels``' order), stacked by ``part`` (in ``colors``' order).

    ``frame`` is long: one row per category and part with ``value`` and ``suppressed``.
    ``labels`` maps category values to display names; ``part_labels`` part values to legend
    names; ``hover_count`` names a count column to add to the hover next to the value.
    """
    names = list(labels.values())
    axis = unique_axis_labels(names, limit=STACKED_LABEL)  # a phone keeps room for the bars
    row_of = {key: i for i, key in enumerate(labels)}
    hidden = (
        set(frame.filter(pl.col("suppressed"))[category].to_list())
        if "suppressed" in frame.columns
        else set()
    )
    fig = go.Figure()
    present = set(frame[part].drop_nulls().to_list())  # a part without rows gets no legend entry
    parts = [p for p in colors if p in present] + sorted(present - set(colors))
    for p in parts:
        rows = frame.filter((pl.col(part) == p) & pl.col(category).is_in(list(labels), nulls_equal=True))
        values: list[float | None] = [None] * len(axis)
        counts: list[str] = [""] * len(axis)
        for record in rows.iter_rows(named=True):
            i = row_of[record[category]]
            if record[category] not in hidden:
                values[i] = record[value]
                if hover_count:
                    counts[i] = f" ({format_value(record[hover_count], 'count')} leads)"
        name = (part_labels or {}).get(p, p)
        fig.add_trace(
            go.Bar(
                y=axis,
                x=values,
                orientation="h",
                name=name,
                marker_color=colors.get(p, OTHER_COLOR),
                customdata=[
                    [full, format_value(v, value_format) + c]
                    for full, v, c in zip(names, values, counts, strict=True)
                ],
                hovertemplate=f"%{{customdata[0]}}<br>{name}: %{{customdata[1]}}<extra></extra>",
            )
        )
    for key in hidden & set(labels):
        fig.add_annotation(
            x=0,
            y=axis[row_of[key]],
            text=suppressed_text(min_group_size),
            showarrow=False,
            xanchor="left",
            font={"color": "#6c757d", "size": 12},
        )
    style(fig, height=110 + 30 * len(axis), legend=True)
    fig.update_layout(barmode="stack", legend={"traceorder": "normal", "y": 1.0, "yanchor": "bottom"})
    fig.update_xaxes(rangemode="tozero", **_TICKS.get(value_format, {}))
    right_aligned_x_title(fig, value_title)
    if value_format == "percent":
        fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(title_text=category_title, autorange="reversed", automargin=True, ticksuffix="  ")
    return fig


def right_aligned_x_title(fig: go.Figure, text: str) -> None:
    """The value axis's title under the plot's right end, running left into the room of the names:
    Plotly centres an axis title on the plot, and on a phone's narrow plot a long one was cut off."""
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=1,
        y=0,
        xanchor="right",
        yanchor="top",
        yshift=-24,
        showarrow=False,
        font={"size": 14, "color": "#2a3f5f"},
    )
    fig.update_layout(margin={"b": 52})


def heat_map(
    z: Sequence[Sequence[float | None]],
    *,
    x: Sequence[str],
    y: Sequence[str],
    hover: Sequence[Sequence[str]],
    colorscale: Sequence[Sequence[object]],
    value_title: str,
    x_title: str,
    y_title: str,
    value_format: Format = "percent",
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """A heat map of ``z`` (rows ``y``, columns ``x``); ``hover`` holds each cell's full text."""
    axis = unique_axis_labels(y, limit=52)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(x),
            y=axis,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            xgap=2,
            ygap=2,
            hoverongaps=False,
            colorbar={"title": {"text": value_title, "side": "right"}, **_TICKS.get(value_format, {})},
        )
    )
    style(fig, height=max(300, 120 + 26 * len(axis)))
    fig.update_layout(plot_bgcolor="white")  # a blank cell (no leads, or too few) stays white
    fig.update_xaxes(
        title_text=x_title,
        type="category",
        tickangle=0 if len(x) * max(map(len, x), default=0) <= 60 else -45,
    )
    fig.update_yaxes(
        title_text=y_title, autorange="reversed", automargin=True, type="category", showgrid=False
    )
    return fig
