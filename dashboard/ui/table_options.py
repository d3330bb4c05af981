"""A wide table's own options, kept in the URL: the order of its rows and whether every column shows.

Streamlit's table sorts by a header click in the browser but does not tell the app, so a link could
not keep that order; "Sort by" is a select kept in the URL instead (``<prefix>_sort``, e.g.
``cp_sort=-roi``: a leading minus is high to low). "More columns" (``<prefix>_cols=all``) shows the
columns beyond the default set. Both keys must be in the page's ``PageSpec.url_keys``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import polars as pl
import streamlit as st

from common.markdown import literal_markdown, shorten
from dashboard.filters.url_state import MAX_ECHOED_VALUE
from dashboard.ui.format import MISSING

ROW_HEIGHT, HEADER_HEIGHT, PAGE_ROWS = 35, 38, 25
ALL_COLUMNS = "all"
SELECT_WIDTH = 340  # px: room for the longest "Median response, business hours, high to low"


def table_height(rows: int) -> int | Literal["auto"]:
    """The height that shows every row up to a page (``PAGE_ROWS``); a longer table scrolls inside."""
    return HEADER_HEIGHT + ROW_HEIGHT * max(1, min(rows, PAGE_ROWS)) + 2


def draw_table(
    shown: Any,
    *,
    config: Mapping[str, Any],
    key: str,
    height: int | Literal["auto"],
    on_row_click: tuple[str, Callable[[], None]] | None = None,
) -> None:
    """``st.dataframe`` as every Leadline table draws it: full width, no index, a dash for a blank
    number (suppressed or undefined, never "None"); ``on_row_click`` (key, callback) from
    ``dashboard.ui.drill.row_drill`` makes a row click narrow the view to its group."""
    options: dict[str, Any] = {}
    if on_row_click is not None:
        key, options = on_row_click[0], {"on_select": on_row_click[1], "selection_mode": "single-row"}
    st.dataframe(
        shown,
        hide_index=True,
        column_config=dict(config),
        key=key,
        width="stretch",
        height=height,
        placeholder=MISSING,
        **options,
    )


def sort_options(columns: Mapping[str, str]) -> dict[str, str]:
    """URL value -> words for each column, both ways: ``-leads`` 'Leads, high to low', ``leads`` low to high."""
    options: dict[str, str] = {}
    for column, title in columns.items():
        options[f"-{column}"] = f"{title}, high to low"
        options[column] = f"{title}, low to high"
    return options


def parse_sort(value: str) -> tuple[str, bool]:
    """(column, descending) of a sort value: ``-roi`` -> ('roi', True)."""
    return value.removeprefix("-"), value.startswith("-")


def sorted_rows(frame: pl.DataFrame, column: str, *, descending: bool) -> pl.DataFrame:
    """``frame`` ordered by ``column``; suppressed groups and blanks (no figure) always last."""
    if column not in frame.columns:
        return frame
    keys: list[str | pl.Expr] = [pl.col(column).is_null()]
    order = [False]
    if "suppressed" in frame.columns:
        keys.insert(0, pl.col("suppressed").fill_null(False))
        order.insert(0, False)
    return frame.sort([*keys, column], descending=[*order, descending], nulls_last=True, maintain_order=True)


def _seeded(key: str, session_key: str, valid: Sequence[str], default: str, what: str) -> None:
    """Seed the widget from the URL on a fresh session or when a link changed it; a bad value: default."""
    raw = st.query_params.get(key)
    written = st.session_state.get(f"{session_key}_written")
    if session_key in st.session_state and raw == written:
        return
    value = raw if raw is not None else default
    if value not in valid:
        shown = literal_markdown(repr(shorten(str(raw), MAX_ECHOED_VALUE)))  # the link's text, made inert
        st.caption(f":orange[The link's {key}={shown} is not {what}; showing the default.]")
        value = default
    st.session_state[session_key] = value


def _written(key: str, session_key: str, value: str, default: str) -> None:
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
    st.session_state[f"{session_key}_written"] = None if value == default else value


def sort_select(prefix: str, columns: Mapping[str, str], default: str) -> tuple[str, bool]:
    """'Sort by' over ``columns`` (column -> title), kept in the URL as ``<prefix>_sort``; returns
    (column, descending). ``default`` is a sort value (``-leads``)."""
    key, session_key = f"{prefix}_sort", f"opt_{prefix}_sort"
    options = sort_options(columns)
    _seeded(key, session_key, list(options), default, "a column of this table")
    value = st.selectbox(
        "Sort by",
        list(options),
        format_func=options.__getitem__,
        key=session_key,
        width=SELECT_WIDTH,
        help="The order is kept in the link. Clicking a column header sorts the table in your browser only.",
    )
    _written(key, session_key, str(value), default)
    return parse_sort(str(value))


def more_columns_toggle(prefix: str, hidden: int) -> bool:
    """'More columns' (``hidden`` more), kept in the URL as ``<prefix>_cols=all``; True when on."""
    key, session_key = f"{prefix}_cols", f"opt_{prefix}_cols"
    raw = st.query_params.get(key)
    if session_key not in st.session_state or raw != st.session_state.get(f"{session_key}_written"):
        if raw not in (None, ALL_COLUMNS):
            shown = literal_markdown(repr(shorten(str(raw), MAX_ECHOED_VALUE)))
            st.caption(
                f":orange[The link's {key}={shown} is not '{ALL_COLUMNS}'; showing the default columns.]"
            )
        st.session_state[session_key] = raw == ALL_COLUMNS
    on = st.toggle(
        f"More columns ({hidden})",
        key=session_key,
        help="Show every column of this table; the choice is kept in the link.",
    )
    _written(key, session_key, ALL_COLUMNS if on else "", "")
    return bool(on)

