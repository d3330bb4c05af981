"""KPI tiles: a metric's value, its change against the comparison period and its target.

The label and help text come from the metric registry; a suppressed value reads
'fewer than K leads', never 0. Green always means "better" (a falling response time
is green), grey means the metric has no better direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.ui.availability import DEFINITIONS_LINK, missing
from dashboard.ui.format import NO_CHANGE
from dashboard.ui.tile_model import target_words, tile_model
from metrics.availability import NOT_IN_DATA
from metrics.registry import metric

Row = Mapping[str, Any]


def _delta_color(name: str) -> str:
    return {"higher": "normal", "lower": "inverse", "neutral": "off"}[metric(name).better]


def target_caption(name: str, value: float | None, target: float) -> str:
    """``Target 95.0 % · 2.1 pts below`` in green when met, red when missed (Markdown)."""
    words, met = target_words(name, value, target)
    return f":{'gray' if met is None else 'green' if met else 'red'}[{words}]"


NOT_IN_DATA_VALUE = (  # smaller than a metric's value, so the words fit a quarter of the page
    f'<p class="leadline-not-in-data" style="font-size:1.45rem;line-height:1.3;color:#6c757d;margin:0">'
    f"{NOT_IN_DATA}</p>"
)


def not_in_data_tile(label: str, help_text: str, reason: str) -> None:
    """A tile's contents for a metric the data cannot give: its label, "not in your data", the reason."""
    st.markdown(f'<p style="font-size:0.875rem;margin:0">{label}</p>', help=help_text, unsafe_allow_html=True)
    st.markdown(NOT_IN_DATA_VALUE, unsafe_allow_html=True)
    st.caption(f"{reason} {DEFINITIONS_LINK}")


def kpi_tile(
    name: str,
    current: Row | None,
    previous: Row | None = None,
    *,
    min_group_size: int,
    target: float | None = None,
    missing_reason: str | None = None,
) -> None:
    """One bordered tile for metric ``name`` from a metrics_table row (None: no row at all).

    ``previous`` is the comparison period's row (the page header names that period);
    ``target`` adds a line against it. ``missing_reason``: the metric's inputs are not in the
    data, so the tile says "not in your data" and why (no value, no change, no target gap).
    """
    tile = tile_model(
        name, current, previous, min_group_size=min_group_size, target=target, missing_reason=missing_reason
    )
    help_text = metric(name).help
    with st.container(border=True, height="stretch"):
        if missing_reason is not None:
            not_in_data_tile(tile.label, f"{missing_reason}\n\n{help_text}", missing_reason)
            return
        if not tile.shows_value:
            st.metric(tile.label, tile.value, help=help_text)
            st.caption(tile.note or "")
            return
        st.metric(
            tile.label,
            tile.value,
            delta=tile.delta,
            delta_color="off" if tile.good is None else _delta_color(name),  # type: ignore[arg-type]
            delta_arrow="off" if tile.delta == NO_CHANGE else "auto",
            help=help_text,
        )
        if tile.note:
            st.caption(tile.note)
        if target is not None:
            st.markdown(target_caption(name, None if current is None else current.get(name), target))
        elif previous is not None and tile.delta is None:
            st.caption("No comparison value.")


# A label such as "Median response, business hours" wraps onto a second line instead of ending
# in "..." when four tiles share a row (Streamlit truncates metric labels to one line).
_WRAPPING_LABELS = (
    "<style>[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] * "
    "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}</style>"
)


def kpi_row(
    names: Sequence[str],
    current: Row | None,
    previous: Row | None = None,
    *,
    min_group_size: int,
    targets: Mapping[str, float] | None = None,
    per_row: int = 4,
) -> None:
    """Tiles for ``names``, ``per_row`` to a row of equal columns (a short last row stays aligned).

    A metric whose inputs the warehouse lacks reads "not in your data" (dashboard/ui/availability.py).
    """
    absent = missing(names)
    st.html(_WRAPPING_LABELS)  # style only: takes no space on the page
    for first in range(0, len(names), per_row):
        row = names[first : first + per_row]
        for column, name in zip(st.columns(per_row), row, strict=False):
            with column:
                kpi_tile(
                    name,
                    current,
                    previous,
                    min_group_size=min_group_size,
                    target=(targets or {}).get(name),
                    missing_reason=absent.get(name),
                )
