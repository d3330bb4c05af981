"""Detail tables (buckets, shares, runs, reasons) shown and downloaded with a help text on every number.

Columns that are registry metrics take label, definition and format from metrics/registry.py;
the others (a bucket's share, a run's first week ...) are declared once per page with ``Col``,
whose ``help`` says exactly what the number counts. Percent columns hold fractions (0.42) and
are shown and exported as percentages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import streamlit as st

from dashboard.filters.view import View
from dashboard.ui.availability import blank_not_in_data, column_help
from dashboard.ui.drill import row_drill, row_targets
from dashboard.ui.export import download_csv
from dashboard.ui.format import axis_title, suppressed_text
from dashboard.ui.table_format import styled_table
from dashboard.ui.table_options import draw_table, more_columns_toggle, sort_select, sorted_rows, table_height
from metrics.registry import BY_NAME, Format, metric


@dataclass(frozen=True)
class Col:
    """How a column is shown: its title, help text and number format (None: text or date)."""

    title: str
    help: str | None = None
    fmt: Format | None = None
    pinned: bool = False


def metric_col(name: str) -> Col:
    """The column of registry metric ``name``: its label, definition and format."""
    m = metric(name)
    return Col(m.label, m.help, m.format)


def detail_dataframe(
    frame: pl.DataFrame,
    columns: Mapping[str, Col],
    *,
    key: str,
    height: int | None = None,
    on_row_click: tuple[str, Callable[[], None]] | None = None,
) -> None:
    """``frame``'s ``columns`` (in that order) as a table with titles, help texts and formats; as tall
    as its rows up to a page unless ``height`` caps it. ``on_row_click``: (key, callback) from
    ``dashboard.ui.drill.row_drill``: a click on a row narrows the view to its group."""
    config: dict[str, Any] = {}
    for name, col in columns.items():
        if col.fmt is None:
            config[name] = st.column_config.Column(
                col.title, help=col.help, pinned=col.pinned, width="medium" if col.pinned else None
            )
        else:
            # No format here: the Styler draws format_value's text, as on the tiles (table_format.py).
            config[name] = st.column_config.NumberColumn(col.title, help=column_help(col.help, name))
    formats = {name: col.fmt for name, col in columns.items() if col.fmt}
    shown = styled_table(blank_not_in_data(frame.select(list(columns))), formats)
    # A short table needs no fixed height (it would show empty rows).
    shown_height: int | Literal["auto"] = (
        table_height(frame.height) if height is None or 38 + 35 * frame.height <= height else height
    )
    draw_table(shown, config=config, key=key, height=shown_height, on_row_click=on_row_click)


def download_detail(
    frame: pl.DataFrame, columns: Mapping[str, Col], *, title: str, view: View, key: str
) -> None:
    """The 'Download CSV' and 'Download Excel' buttons for the table ``detail_dataframe`` shows, headers with units.

    Registry metrics are scaled and titled by dashboard/ui/export.py; the other percent
    columns are scaled here and titled 'Title (%)'.
    """
    own = {c: col for c, col in columns.items() if c not in BY_NAME}
    out = frame.select(*columns, *(["suppressed"] if "suppressed" in frame.columns else [])).with_columns(
        pl.col(c) * 100 for c, col in own.items() if col.fmt == "percent"
    )
    units = {"percent": " (%)", "minutes": " (minutes)"}
    labels = {c: col.title + units.get(col.fmt or "", "") for c, col in own.items()}
    labels |= {c: axis_title(BY_NAME[c]) for c in columns if c in BY_NAME}
    formats = {c: col.fmt for c, col in own.items() if col.fmt is not None}
    download_csv(out, title=title, view=view, key=key, labels=labels, formats=formats)


def with_label(frame: pl.DataFrame, dim: str, view: View, column: str | None = None) -> pl.DataFrame:
    """``frame`` with the display names of ``dim``'s values in ``column`` (default: replacing ``dim``);
    a suppressed row's name says 'fewer than K leads' (its numbers are empty, never zero)."""
    names = pl.Series(column or dim, [view.label(dim, v) for v in frame[dim].to_list()], dtype=pl.String)
    return mark_suppressed(frame.with_columns(names), column or dim, view.min_group_size)


def mark_suppressed(frame: pl.DataFrame, column: str, min_group_size: int) -> pl.DataFrame:
    """``column`` (a name) followed by ' · fewer than K leads' on the rows whose numbers are suppressed."""
    if "suppressed" not in frame.columns:
        return frame
    note = f" · {suppressed_text(min_group_size)}"
    return frame.with_columns(
        pl.when(pl.col("suppressed"))
        .then(pl.col(column).fill_null("(unnamed)") + pl.lit(note))
        .otherwise(pl.col(column))
        .alias(column)
    )


def ranked_table(
    table: pl.DataFrame,
    columns: Mapping[str, Col],
    default_columns: Sequence[str],
    *,
    prefix: str,
    key: str,
    view: View,
    drill_columns: Mapping[str, str] | None = None,
    default_sort: str = "-leads",
) -> pl.DataFrame:
    """A detail table with 'Sort by' and 'More columns' kept in the URL (``<prefix>_sort``,
    ``<prefix>_cols``), ``default_columns`` shown until more are asked for; with ``drill_columns``
    (dimension -> column of its value) a click on a row narrows the view to it. Returns the rows in
    the order shown, for the download."""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        sort_by, descending = sort_select(prefix, {c: col.title for c, col in columns.items()}, default_sort)
        more = more_columns_toggle(prefix, len([c for c in columns if c not in default_columns]))
    table = sorted_rows(table, sort_by, descending=descending)
    shown = columns if more else {c: col for c, col in columns.items() if c in default_columns}
    click = row_drill(key, view, row_targets(table, drill_columns)) if drill_columns else None
    detail_dataframe(table, shown, key=key, on_row_click=click)
    return table
