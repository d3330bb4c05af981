"""Plotly figures with one look and one colour map: a colour means the same thing on every page.

Pages build figures with ``trend_chart`` and ``bar_chart`` (or their own, finished with
``style``), colour series with ``COLORS``/``metric_color``, and draw them with ``show``.
Axes carry the metric's label and unit, hovers the value in the registry format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard.ui.availability import missing_reason
from dashboard.ui.empty_chart import NOTHING_TO_DRAW, nothing_to_draw
from dashboard.ui.format import axis_title, based_on, format_metric, suppressed_text
from metrics.registry import Metric, metric

# The meaning of each colour, shared by every page. Pick by meaning, never by position.
COLORS: dict[str, str] = {
    "leads": "#0f6e8c",  # volume; also the theme's primary colour
    "contacted": "#1a9e8f",  # followed up / contacted: teal
    "fast_response": "#5cc8b8",  # responded within 1 h: light teal
    "response_time": "#3b6fb6",  # minutes to first contact: blue
    "no_contact": "#d64545",  # not contacted: red
    "undelivered": "#e8871e",  # never reached the dealer's CRM: orange
    "appointment": "#7b61c9",  # appointments, test drives, quotes: purple
    "sold": "#2e9e44",  # sales, conversion: green
    "lost": "#8a8f98",  # closed without a sale: grey
    "vague": "#c9a227",  # vague close reasons: ochre
    "money": "#5b4b8a",  # spend, cost per lead/sale: indigo
    "profit": "#1f7a3a",  # gross profit, ROI: dark green
    "comparison": "#b8bec6",  # the comparison period: light grey
    "target": "#444b55",  # targets: dark grey, dashed
    "reached": "#0d5e56",  # reached by a call (result code): deep teal, a step beyond contacted
}

# Parts of one whole (stacked bars, heat maps): shades of the meanings above, good to bad.
RESPONSE_BUCKET_COLORS: dict[str, str] = {  # keys: metrics.detail_response.RESPONSE_BUCKETS
    "within_15_min": COLORS["contacted"],
    "from_15_to_60_min": COLORS["fast_response"],
    "from_1_to_4_h": "#a9ddd4",
    "from_4_to_24_h": "#f3c0bb",
    "over_24_h": "#e8837c",
    "never": COLORS["no_contact"],
}
BH_RESPONSE_BUCKET_COLORS: dict[str, str] = {  # keys: metrics.detail_response.BUSINESS_HOURS_BUCKETS
    "within_15_bh_min": COLORS["contacted"],
    "from_15_to_60_bh_min": COLORS["fast_response"],
    "from_60_to_240_bh_min": "#a9ddd4",
    "over_240_bh_min": "#e8837c",
    "never": COLORS["no_contact"],
}
NO_CONTACT_AGE_COLORS: dict[str, str] = {  # labels of metrics.detail_coverage.NO_CONTACT_AGE_BUCKETS
    "1-2 days": "#f3c0bb",
    "3-7 days": "#e8837c",
    "8-30 days": COLORS["no_contact"],
    "Over 30 days": "#8f2626",
}
CLOSE_CATEGORY_COLORS: dict[str, str] = {  # close-reason categories of metrics/taxonomy.py
    "conversion": COLORS["appointment"],
    "no_interest": COLORS["lost"],
    "not_reached": COLORS["no_contact"],
    "pollution": "#a86b32",  # leads that should never have been paid for: brown
    "other": "#b9bfc7",
    "unspecified": COLORS["vague"],
}
OTHER_COLOR = "#cfd4da"  # a part without a colour of its own (e.g. a category of your taxonomy)
# Heat-map colour scales, from the worst value to the best.
FOLLOW_UP_SCALE = [[0.0, COLORS["no_contact"]], [0.5, "#f7f7f7"], [1.0, COLORS["contacted"]]]
# All delivered reads pale blue-grey, so it differs from a blank cell (no leads).
DELIVERED_SCALE = [[0.0, COLORS["undelivered"]], [0.6, "#f8d9b5"], [1.0, "#cfdde6"]]

_METRIC_COLOR: dict[str, str] = {
    "leads": "leads",
    "contacted": "contacted",
    "follow_up_rate": "contacted",
    "median_first_response_min": "response_time",
    "p90_first_response_min": "response_time",
    "responded_1h_rate": "fast_response",
    "no_contact": "no_contact",
    "duplicate_contact": "vague",
    "duplicate_contact_rate": "vague",
    "avg_attempts": "contacted",
    "undelivered": "undelivered",
    "appointments": "appointment",
    "appointment_rate": "appointment",
    "sold": "sold",
    "conversion_rate": "sold",
    "lost": "lost",
    "vague_close_rate": "vague",
    "lost_after_one_attempt_rate": "lost",
    "spend": "money",
    "cost_per_lead": "money",
    "cost_per_sale": "money",
    "gross_profit": "profit",
    "roi": "profit",
    "reached": "reached",
    "reach_rate": "reached",
    "invalid_contact_rate": "no_contact",
    "coded_contact_rate": "vague",
    "cost_per_reached_lead": "money",
    "reached_of_contacted_rate": "reached",
}

_TICKS: dict[str, dict[str, str]] = {
    "count": {"tickformat": ",d"},
    "percent": {"tickformat": ".0%"},
    "minutes": {"ticksuffix": " min"},
    "money": {"tickprefix": "€", "tickformat": ",.0f"},
    "ratio": {"tickformat": "+,.0%"},  # +1,120%, thousands separated as in the tiles
    "number": {"tickformat": ",.1f"},
}

# Plotly's own toolbar keeps the PNG download; the rest of the mode bar is noise.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


LEGEND_TOP_MARGIN = 100  # two legend rows and, above them, the mode bar (26 px)
COMPACT_TOP_MARGIN = 36
EMPTY_STATE = "leadline_empty_state"  # key in a figure's layout.meta: draw this sentence instead


def empty_state(metric_name: str, values: Sequence[float | int | None]) -> str | None:
    """The sentence a chart of ``metric_name`` shows instead of bars or a line, or None to draw it.

    Not in the data (its inputs are absent): say so and why. Every value absent, or every value
    zero: bars at 0.0 % would read as a measured failure, so say it in words.
    """
    reason = missing_reason(metric_name)
    label = metric(metric_name).label
    if reason is not None:
        return f"**{label}: not in your data.** {reason} [Definitions](/definitions)"
    shown = [v for v in values if v is not None and v == v]  # v == v drops NaN
    if not shown:
        return (
            f"No group has a value of {label.lower()} in this view (too few leads, or nothing to divide by)."
        )
    if all(v == 0 for v in shown):
        return f"{label} is 0 for every group in this view, so there is nothing to compare."
    return None


def _with_empty_state(fig: go.Figure, sentence: str | None) -> go.Figure:
    if sentence is not None:
        fig.update_layout(meta={EMPTY_STATE: sentence})
    return fig


def metric_color(name: str) -> str:
    """The colour of metric ``name`` (by what it means, e.g. conversion -> green)."""
    return COLORS[_METRIC_COLOR.get(name, "leads")]


def style(fig: go.Figure, *, height: int = 340, legend: bool = False) -> go.Figure:
    """The shared look: white background, light grid, compact margins, readable hover.

    ``height`` is the figure's height with the compact top margin; a legend's taller margin is
    added to it, so the plot keeps its room (one stacked bar was squeezed to a line without)."""
    fig.update_layout(
        template="plotly_white",
        height=height + (LEGEND_TOP_MARGIN - COMPACT_TOP_MARGIN if legend else 0),
        # Above a legend, room for Plotly's mode bar, which otherwise covered legend entries on hover.
        margin={"l": 8, "r": 8, "t": LEGEND_TOP_MARGIN if legend else COMPACT_TOP_MARGIN, "b": 8},
        font={"family": "sans-serif", "size": 13},
        hoverlabel={"bgcolor": "white", "font_size": 13},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#e9ecef", zeroline=False)
    return fig


def value_axis(fig: go.Figure, m: Metric, *, axis: str = "y") -> None:
    """Title the value axis with the metric's label and unit, ticks in its format."""
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(title_text=axis_title(m), rangemode="tozero", **_TICKS[m.format])


def trend_chart(
    frame: pl.DataFrame,
    metric_name: str,
    *,
    x: str = "week",
    x_title: str = "Week starting",
    comparison: pl.DataFrame | None = None,
    target: float | None = None,
) -> go.Figure:
    """A line of ``metric_name`` over ``x``; suppressed points are gaps, never zeros.

    ``comparison`` (same columns) is drawn in grey as the comparison period; ``target``
    as a dashed line.
    """
    m = metric(metric_name)
    fig = go.Figure()
    if missing_reason(metric_name) is not None:
        target = None  # no target line against a number the data does not hold
    if comparison is not None and comparison.height:
        fig.add_trace(_line(comparison, m, x, "Comparison period", COLORS["comparison"]))
    fig.add_trace(_line(frame, m, x, m.label, metric_color(metric_name)))
    if target is not None:
        fig.add_hline(
            y=target,
            line={"dash": "dash", "color": COLORS["target"], "width": 1.5},
            annotation_text=f"Target {format_metric(metric_name, target)}",
            annotation_position="top left",
        )
    style(fig, legend=comparison is not None and comparison.height > 0)
    value_axis(fig, m)
    fig.update_xaxes(title_text=x_title, tickformat="%-d %b")
    if frame.height:  # label weeks at their Mondays (Plotly's own weekly ticks fall on Sundays)
        step = -(-frame.height // 16)  # at most 16 labels: every week, or every 2nd, 3rd ... Monday
        fig.update_xaxes(tickvals=frame[x].to_list()[::step])
    values = frame[metric_name].to_list() if frame.height else []
    return _with_empty_state(fig, empty_state(metric_name, values))


def _line(frame: pl.DataFrame, m: Metric, x: str, name: str, color: str) -> go.Scatter:
    values = frame[m.name].to_list() if frame.height else []
    shown = [_hover_value(m.name, v, row) for v, row in zip(values, frame.iter_rows(named=True), strict=True)]
    return go.Scatter(
        x=frame[x].to_list() if frame.height else [],
        y=values,
        name=name,
        mode="lines+markers",
        line={"color": color, "width": 2.5},
        marker={"size": 6},
        customdata=shown,
        hovertemplate=f"%{{x|%d %b %Y}}<br>{m.label}: %{{customdata}}<extra>{name}</extra>",
        connectgaps=False,
    )


def _hover_value(metric_name: str, value: float | int | None, row: dict[str, object]) -> str:
    """'87.3 % (on 1,234 leads)': a hover's value with the number of leads it rests on."""
    base = (
        based_on(metric_name, row) if metric(metric_name).format != "count" else ""
    )  # a count is its own base
    return format_metric(metric_name, value) + (f" ({base})" if base else "")


def bar_chart(
    frame: pl.DataFrame,
    category: str,
    metric_name: str,
    *,
    category_title: str,
    labels: Sequence[str] | None = None,
    min_group_size: int,
    target: float | None = None,
) -> go.Figure:
    """Horizontal bars of ``metric_name`` per ``category``; a suppressed group gets no bar and
    the text 'fewer than K leads' (never a zero bar)."""
    m = metric(metric_name)
    names = list(labels) if labels is not None else [str(v) for v in frame[category].to_list()]
    values = frame[metric_name].to_list()
    suppressed = frame["suppressed"].to_list() if "suppressed" in frame.columns else [False] * len(values)
    texts = [
        suppressed_text(min_group_size) if hidden else format_metric(metric_name, v)
        for v, hidden in zip(values, suppressed, strict=True)
    ]
    hovers = [
        text if hidden else _hover_value(metric_name, v, row)
        for v, text, hidden, row in zip(values, texts, suppressed, frame.iter_rows(named=True), strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=[None if hidden else v for v, hidden in zip(values, suppressed, strict=True)],
            orientation="h",
            marker_color=metric_color(metric_name),
            text=[None if hidden else t for t, hidden in zip(texts, suppressed, strict=True)],
            textposition="outside",
            cliponaxis=False,
            customdata=hovers,
            hovertemplate=f"%{{y}}<br>{m.label}: %{{customdata}}<extra></extra>",
        )
    )
    for name, text, hidden in zip(names, texts, suppressed, strict=True):
        if hidden:  # no bar (a zero bar would lie): say why at the axis
            fig.add_annotation(
                x=0, y=name, text=text, showarrow=False, xanchor="left", font={"color": "#6c757d", "size": 12}
            )
    if target is not None:
        fig.add_vline(
            x=target,
            line={"dash": "dash", "color": COLORS["target"], "width": 1.5},
            annotation_text=f"Target {format_metric(metric_name, target)}",
            annotation_position="top",
        )
    style(fig, height=max(220, 60 + 30 * len(names)))
    fig.update_layout(margin={"r": 44})  # room for the longest bar's value label on a phone's narrow plot
    value_axis(fig, m, axis="x")
    shown_values = [v for v in values if v is not None]
    if shown_values and max(shown_values) > 0:  # room for the value labels right of the bars
        fig.update_xaxes(range=[min(0, *shown_values), max(shown_values) * 1.18])
    fig.update_yaxes(title_text=category_title, autorange="reversed", automargin=True)
    shown = [v for v, hidden in zip(values, suppressed, strict=True) if not hidden]
    return _with_empty_state(fig, empty_state(metric_name, shown))


def show(fig: go.Figure, *, key: str | None = None, on_select: Callable[[], None] | None = None) -> None:
    """Draw ``fig`` full width with Plotly's own PNG download in its toolbar; a figure marked with an
    empty state (``empty_state``) is drawn as that sentence instead. ``on_select``: called when a
    point is clicked (dashboard/ui/drill.py), the selection in ``st.session_state[key]``."""
    meta = fig.layout.meta
    if isinstance(meta, dict) and meta.get(EMPTY_STATE):
        st.info(str(meta[EMPTY_STATE]), icon=":material/info:")
        return
    if nothing_to_draw(fig):  # any chart, not only bar_chart and trend_chart: no bars at 0.0 %
        st.info(NOTHING_TO_DRAW, icon=":material/info:")
        return
    if on_select is None:
        st.plotly_chart(fig, width="stretch", config=PLOTLY_CONFIG, key=key, theme=None)
    else:
        st.plotly_chart(
            fig,
            width="stretch",
            config=PLOTLY_CONFIG,
            key=key,
            theme=None,
            on_select=on_select,
            selection_mode="points",
        )
