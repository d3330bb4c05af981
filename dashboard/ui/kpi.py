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
from dashboard.ui.fairness import outcome_change_is_unfair
from dashboard.ui.format import NO_CHANGE, format_delta, format_metric, suppressed_text, team_note
from metrics.availability import NOT_IN_DATA
from metrics.registry import metric

Row = Mapping[str, Any]


def _delta_color(name: str) -> str:
    return {"higher": "normal", "lower": "inverse", "neutral": "off"}[metric(name).better]


# Below this many (leads, or of the counted thing) a change is shown neutral (grey) with the counts.
SMALL_BASE = 20


def small_base(name: str, current: Row, previous: Row) -> bool:
    """True when the change of ``name`` rests on fewer than SMALL_BASE of what it counts (the count
    itself for counts, the leads of either period for rates and other figures)."""
    if metric(name).format == "count":
        return max(abs(current.get(name) or 0), abs(previous.get(name) or 0)) < SMALL_BASE
    return min(current.get("leads") or 0, previous.get("leads") or 0) < SMALL_BASE


def _base_words(name: str, current: Row, previous: Row) -> str:
    if metric(name).format == "count":
        return f"{previous.get(name) or 0:,} before, {current.get(name) or 0:,} now"
    return f"{previous.get('leads') or 0:,} leads before, {current.get('leads') or 0:,} now"


def no_sales_yet(row: Row) -> bool:
    """Money was spent and nothing sold: the worst cost per sale, which a division cannot give."""
    return row.get("cost_per_sale") is None and bool(row.get("spend")) and not row.get("sold")


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
    m = metric(name)
    suppressed = current is None or bool(current.get("suppressed"))
    value = None if current is None else current.get(name)
    with st.container(border=True, height="stretch"):
        if missing_reason is not None:
            not_in_data_tile(m.label, f"{missing_reason}\n\n{m.help}", missing_reason)
            return
        if suppressed:
            st.metric(m.label, suppressed_text(min_group_size), help=m.help)
            st.caption("Too few leads to show this number.")
            return
        if name == "cost_per_sale" and current is not None and no_sales_yet(current):
            # Spend and no sale is the worst cost per sale, not a blank: say so, with what was spent.
            st.metric(m.label, "no sales yet", help=m.help)
            st.caption(f"{format_metric('spend', current['spend'])} spent, no sale in this period.")
            return
        if m.people and current is not None and current.get("team_suppressed"):
            st.metric(m.label, "hidden", help=m.help)
            st.caption(team_note(min_group_size))
            return
        delta = None
        small = False
        if (
            previous is not None
            and not previous.get("suppressed")
            and not (m.people and previous.get("team_suppressed"))
        ):
            delta = format_delta(name, value, previous.get(name))
            small = (
                delta not in (None, NO_CHANGE) and current is not None and small_base(name, current, previous)
            )
            if small and m.format == "count":  # "+25 %" on 4 -> 5 says more than it knows: the counts
                delta = f"{int(value or 0) - int(previous.get(name) or 0):+,} ({int(previous.get(name) or 0):,} before)"
        unfair = outcome_change_is_unfair(name, current, previous)  # a younger period: not good or bad news
        neutral = delta == NO_CHANGE or small or unfair
        st.metric(
            m.label,
            format_metric(name, value),
            delta=delta,
            delta_color="off" if neutral else _delta_color(name),  # type: ignore[arg-type]
            delta_arrow="off" if delta == NO_CHANGE else "auto",
            help=m.help,
        )
        if small and current is not None and previous is not None:
            st.caption(f"A change on few leads ({_base_words(name, current, previous)}): read it with care.")
        if target is not None:
            st.markdown(target_caption(name, value, target))
        elif previous is not None and delta is None:
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
