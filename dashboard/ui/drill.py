"""Drill down with a click: charts and tables whose groups narrow the view, and the chips that undo it.

A click on a bar, a heat-map cell or a table row calls back before the next run: the clicked group's
values are checked against what the viewer may choose (dashboard/filters/drill.py) and written to
the URL, where the sidebar decodes them as it decodes any link (so Back, Copy link and a shared link
all work); a click that cannot be a filter (a "(none)" group) says so in a toast. The page's breakdown key is reset so it follows the filters one level down. Each active
filter shows as a "Filtered by" chip above the page; its cross removes that filter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from common.markdown import escape_markdown
from dashboard.filters.drill import (
    clicked_label,
    clicked_row,
    drill_filters,
    drilled_params,
    filter_chips,
)
from dashboard.filters.sidebar import read_query_params, widget_key
from dashboard.filters.url_state import FilterState
from dashboard.filters.view import View, current_view
from dashboard.ui import charts
from dashboard.ui.part_charts import short_label

Targets = Mapping[str, str | None]  # dimension -> value of one clicked group


def state_token(state: FilterState) -> str:
    """A short digest of the filters, part of a drillable element's key: a new view is a new element,
    so an old click is not replayed after the view changed (or was undone)."""
    return hashlib.sha256(repr(state.filters).encode()).hexdigest()[:8]


def apply_drill(targets: Targets, reset_keys: Sequence[str] = ()) -> None:
    """Narrow the view to the clicked group: write its filters to the URL (a callback, before the run)."""
    view = current_view()
    drill = drill_filters(view.state, view.choices, targets)
    if drill.refused:
        st.toast(drill.refused, icon=":material/block:")
        return
    old = read_query_params()
    new = drilled_params(old, view.state, drill, reset_keys)
    for key, values in new.items():
        if old.get(key) != values:
            st.query_params[key] = values
    for key in old:
        if key not in new:
            del st.query_params[key]
    for key in reset_keys:  # the breakdown follows the new filters (sidebar.url_option)
        st.session_state.pop(f"opt_{key}", None)


def _on_chart_click(key: str, targets: Mapping[str, Targets], reset_keys: Sequence[str], axis: str) -> None:
    label = clicked_label(st.session_state.get(key), axis)
    if label is not None and label in targets:
        apply_drill(targets[label], reset_keys)


def _on_row_click(key: str, rows: Sequence[Targets], reset_keys: Sequence[str]) -> None:
    row = clicked_row(st.session_state.get(key))
    if row is not None and 0 <= row < len(rows):
        apply_drill(rows[row], reset_keys)


def drill_chart(
    fig: go.Figure,
    *,
    key: str,
    view: View,
    targets: Mapping[str, Targets],
    reset_keys: Sequence[str] = (),
    axis: str = "y",
) -> None:
    """``fig`` drawn so a click on a category (its ``axis`` label, a key of ``targets``) narrows the view."""
    element_key = f"{key}-{state_token(view.state)}"
    callback = partial(_on_chart_click, element_key, targets, reset_keys, axis)
    charts.show(fig, key=element_key, on_select=callback)


def row_drill(
    key: str, view: View, rows: Sequence[Targets], reset_keys: Sequence[str] = ()
) -> tuple[str, Callable[[], None]]:
    """The key and callback that make a table's rows (``rows``: one target per row) narrow the view."""
    element_key = f"{key}-{state_token(view.state)}"
    return element_key, partial(_on_row_click, element_key, rows, reset_keys)


def drill_hint(what: str) -> None:
    """The caption that tells people a chart or table can be clicked."""
    st.caption(f":material/touch_app: Click {what} to narrow the view to it; the chips at the top undo it.")


def _undo(dim: str) -> None:
    st.session_state[widget_key(dim)] = []  # the sidebar writes the URL without it


def render_filter_chips(view: View) -> None:
    """'Filtered by' and one chip per active filter; a chip's cross removes that filter.

    """
    chips = filter_chips(view.state, view.choices)
    if not chips:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("Filtered by", width="content")
        for dim, text in chips:
            st.button(
                escape_markdown(text),  # names from the warehouse: shown literally
                key=f"chip-{dim}",
                icon=":material/close:",
                on_click=_undo,
                args=(dim,),
                help="Remove this filter",
                type="tertiary",
            )


def bar_targets(frame: pl.DataFrame, dim: str, view: View) -> dict[str, Targets]:
    """Bar label -> the group it stands for: the label as ``charts.bar_chart`` draws it and as the
    stacked bars shorten it (``part_charts.short_label``); a label two groups share keeps the first."""
    targets: dict[str, Targets] = {}
    for value in frame[dim].to_list():
        label = view.label(dim, value)
        targets.setdefault(label, {dim: value})
        targets.setdefault(short_label(label), {dim: value})
    return targets


def row_targets(frame: pl.DataFrame, columns: Mapping[str, str]) -> list[Targets]:
    """One target per row of ``frame``: dimension -> the row's value in ``columns[dimension]``."""
    values = {dim: frame[column].to_list() for dim, column in columns.items()}
    return [{dim: values[dim][i] for dim in columns} for i in range(frame.height)]


def clickable_cells(fig: go.Figure, rows: Sequence[Targets]) -> tuple[go.Figure, dict[str, Targets]]:
    """``fig`` (a heat map whose row ``i`` stands for ``rows[i]``) with its cells made clickable, and
    the row labels -> targets for ``drill_chart``.

    Plotly does not report a click on a heat-map cell while selection is on, so an invisible marker
    sits on every drawn cell, carrying the cell's hover text; its click is reported like a bar's.
    """
    heat = next(t for t in fig.data if t.type == "heatmap")
    xs, ys, texts = [], [], []
    for r, label in enumerate(heat.y):
        for c, column in enumerate(heat.x):
            if heat.z[r][c] is not None:
                xs.append(column)
                ys.append(label)
                texts.append(heat.customdata[r][c])
    heat.update(hoverinfo="skip", hovertemplate=None)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            marker={"size": 18, "opacity": 0, "symbol": "square"},
            customdata=texts,
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    return fig, {str(label): rows[i] for i, label in enumerate(heat.y) if i < len(rows)}
