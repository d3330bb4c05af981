"""Drill down and cross-filter: a click on a group (a bar, a heat-map cell, a table row) as new URL state.

Pure functions; the Streamlit side (selection events, the "Filtered by" chips) lives in
dashboard/ui/drill.py. A click never writes a value the URL could not hold: the value must be one
the viewer could pick in the sidebar (``Choices.options``, already limited to their access scope and
narrowed by the market and dealer group chosen), and the link the click writes is decoded again by
``url_state.decode`` on the next run like any other link. A value outside that (a "(none)" group,
a group outside the viewer's access) is refused, never widened.

The page's breakdown follows the filters: with one market chosen a page breaks down by dealer group,
with one dealer group by its dealers (``breakdown_default``), so a click goes one level down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.filters.url_state import FILTER_KEYS, FILTER_NAMES, Choices, FilterState, encode

# One level down from a single chosen value: filter dimension -> the breakdown that shows its parts.
# Checked from the most specific filter to the least; the first that applies wins.
DRILL_LEVELS: tuple[tuple[str, str], ...] = (
    ("dealer_id", "dealer_id"),
    ("dealer_group_id", "dealer_id"),
    ("market", "dealer_group_id"),
    ("brand", "market"),
    ("campaign_id", "source"),
    ("source", "campaign_id"),
    ("channel", "campaign_id"),
)


@dataclass(frozen=True)
class Drill:
    """A click turned into filters: dimension -> value, and a sentence when it was refused."""

    filters: tuple[tuple[str, str], ...] = ()
    refused: str = ""


def breakdown_default(state: FilterState, options: Iterable[str], fallback: str) -> str:
    """The breakdown a page opens on for ``state``: one level below the narrowest single choice.

    >>> from datetime import date
    >>> s = FilterState(date(2026, 1, 1), date(2026, 1, 31), filters=(("dealer_group_id", ("G1",)),))
    >>> breakdown_default(s, ("market", "dealer_group_id", "dealer_id"), "market")
    'dealer_id'
    """
    available = list(options)
    for dim, child in DRILL_LEVELS:
        if len(state.values(dim)) == 1 and child in available:
            return child
    return fallback


def drill_filters(state: FilterState, choices: Choices, targets: Mapping[str, str | None]) -> Drill:
    """The filters a click on a group adds, each value checked as a link's value would be.

    ``targets`` maps the dimensions of the clicked group to its values (one for a bar, two for a
    source · dealer cell). Each value must be one the viewer may pick given the filters before it
    (``Choices.options``); otherwise nothing is applied and ``refused`` says why in words that do
    not reveal whether the value exists elsewhere.
    """
    narrowed = state
    chosen: list[tuple[str, str]] = []
    for dim in FILTER_KEYS:  # market before group before dealer, so each narrows the next
        if dim not in targets:
            continue
        value = targets[dim]
        if value is None or value not in choices.options(dim, narrowed):
            name = FILTER_NAMES[dim].lower()
            return Drill(
                refused=f"This {name} cannot be chosen as a filter (no {name}, or outside your access)."
            )
        narrowed = narrowed.with_values(dim, [value])
        chosen.append((dim, value))
    return Drill(filters=tuple(chosen))


def drilled_params(
    params: Mapping[str, Sequence[str]], state: FilterState, drill: Drill, reset_keys: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The query string after ``drill``: the view's filters with the clicked values, the page's other
    options kept, and ``reset_keys`` (the page's breakdown) removed so it follows the new filters."""
    drilled = state
    for dim, value in drill.filters:
        drilled = drilled.with_values(dim, [value])
    sidebar_keys = {"from", "to", "compare", *FILTER_KEYS.values()}
    reset = set(reset_keys)
    kept = {k: list(v) for k, v in params.items() if k not in sidebar_keys and k not in reset}
    return {**encode(drilled), **kept}


def undone(state: FilterState, dim: str) -> FilterState:
    """``state`` without the filter on ``dim`` (the chip's undo)."""
    return state.with_values(dim, [])


def filter_chips(state: FilterState, choices: Choices) -> list[tuple[str, str]]:
    """(dimension, 'Dealer group: Autohaus Nord') for each active filter, in the sidebar's order."""
    chips = []
    for dim in FILTER_KEYS:
        if values := state.values(dim):
            shown = ", ".join(choices.label(dim, v) for v in values[:3])
            more = f" +{len(values) - 3}" if len(values) > 3 else ""
            chips.append((dim, f"{FILTER_NAMES[dim]}: {shown}{more}"))
    return chips


def clicked_label(selection: Any, axis: str = "y") -> str | None:
    """The category of the first clicked point of a Plotly selection event (its ``axis`` value), or None."""
    points = _get(_get(selection, "selection"), "points") or []
    if not points:
        return None
    value = _get(points[0], axis)
    return None if value is None else str(value)


def clicked_row(selection: Any) -> int | None:
    """The position of the clicked row of a dataframe selection event, or None."""
    rows = _get(_get(selection, "selection"), "rows") or []
    return int(rows[0]) if rows else None


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)
