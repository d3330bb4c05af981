"""A chart with nothing to draw says so in a sentence: bars at 0.0 % would read as a measured failure.

``dashboard.ui.charts.show`` asks ``nothing_to_draw`` of every figure, so charts built by any page
(stacked bars, heat maps, funnels, grouped bars) get the same rule as ``bar_chart`` and
``trend_chart``, whose own sentences (``charts.empty_state``) name the metric.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

NOTHING_TO_DRAW = (
    "Nothing to draw for this view: every value in this chart is 0 or missing "
    "(no leads of this kind, or too few to show). Widen the period or clear a filter."
)


def _flat(values: Any) -> Iterable[Any]:
    for value in values if values is not None else ():
        if isinstance(value, list | tuple):
            yield from _flat(value)
        else:
            yield value


def _values(trace: Any) -> list[Any]:
    """The values a trace draws (not its categories or dates)."""
    if isinstance(trace, go.Heatmap):
        return list(_flat(trace.z))
    if isinstance(trace, go.Funnel):  # horizontal unless said otherwise
        return list(_flat(trace.y if trace.orientation == "v" else trace.x))
    if isinstance(trace, go.Bar):  # vertical unless said otherwise
        return list(_flat(trace.x if trace.orientation == "h" else trace.y))
    return list(_flat(getattr(trace, "y", None)))


def _is_nothing(value: Any) -> bool:
    if value is None:
        return True
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False  # a value that is not a number (a category) is something
    return math.isnan(number) or number == 0


def nothing_to_draw(fig: go.Figure) -> bool:
    """True when every value of every trace of ``fig`` is 0 or absent (or there is no trace)."""
    return all(_is_nothing(v) for trace in fig.data for v in _values(trace))
