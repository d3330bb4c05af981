"""KPI tiles: a metric's value, its change against the comparison period and its target.

The label and help text come from the metric registry; a suppressed value reads
'fewer than K leads', never 0. Green always means "better" (a falling response time
is green), grey means the metric has no better direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.ui.fairness import outcome_change_is_unfair
from dashboard.ui.format import NO_CHANGE, format_delta, format_metric, suppressed_text
from metrics.registry import metric

Row = Mapping[str, Any]


def _delta_color(name: str) -> str:
    return {"higher": "normal", "lower": "inverse", "neutral": "off"}[metric(name).better]


def target_caption(name: str, value: float | None, target: float) -> str:
    """``Target 95.0 % · 2.1 pts below`` in green when met, red when missed (Markdown)."""
    label = f"Target {format_metric(name, target)}"
    if value is None:
        return f":gray[{label}]"
    gap = format_delta(name, value, target) or ""
    better = metric(name).better
    met = value >= target if better == "higher" else value <= target
    word = "above" if value >= target else "below"
    gap_text = gap.lstrip("+-")
    colour = "green" if met else "red"
    return f":{colour}[{label} · {gap_text} {word}]"


def kpi_tile(
    name: str,
    current: Row | None,
    previous: Row | None = None,
    *,
    min_group_size: int,
    target: float | None = None,
) -> None:
    """One bordered tile for metric ``name`` from a metrics_table row (None: no row at all).

    ``previous`` is the comparison period's row (the page header names that period);
    ``target`` adds a line against it.
    """
    m = metric(name)
    suppressed = current is None or bool(current.get("suppressed"))
    value = None if current is None else current.get(name)
    with st.container(border=True, height="stretch"):
        if suppressed:
            st.metric(m.label, suppressed_text(min_group_size), help=m.help)
            st.caption("Too few leads to show this number.")
            return
        delta = None
        if previous is not None and not previous.get("suppressed"):
            delta = format_delta(name, value, previous.get(name))
        unfair = outcome_change_is_unfair(name, current, previous)  # a younger period: not good or bad news
        st.metric(
            m.label,
            format_metric(name, value),
            delta=delta,
            delta_color="off" if delta == NO_CHANGE or unfair else _delta_color(name),  # type: ignore[arg-type]
            delta_arrow="off" if delta == NO_CHANGE else "auto",
            help=m.help,
        )
        if target is not None:
            st.markdown(target_caption(name, value, target))
        elif previous is not None and delta is None:
            st.caption("No comparison value.")


def kpi_row(
    names: Sequence[str],
    current: Row | None,
    previous: Row | None = None,
    *,
    min_group_size: int,
    targets: Mapping[str, float] | None = None,
    per_row: int = 4,
) -> None:
    """Tiles for ``names``, ``per_row`` to a row of equal columns (a short last row stays aligned)."""
    for first in range(0, len(names), per_row):
        row = names[first : first + per_row]
        for column, name in zip(st.columns(per_row), row, strict=False):
            with column:
                kpi_tile(
                    name, current, previous, min_group_size=min_group_size, target=(targets or {}).get(name)
                )
