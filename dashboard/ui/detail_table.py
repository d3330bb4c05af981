"""Detail tables (buckets, shares, runs, reasons) shown and downloaded with a help text on every number.

Columns that are registry metrics take label, definition and format from metrics/registry.py;
the others (a bucket's share, a run's first week ...) are declared once per page with ``Col``,
whose ``help`` says exactly what the number counts. Percent columns hold fractions (0.42) and
are shown and exported as percentages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
import streamlit as st

from dashboard.filters.view import View
from dashboard.ui.availability import blank_not_in_data, column_help
from dashboard.ui.export import download_csv
from dashboard.ui.format import MISSING, axis_title, suppressed_text
from dashboard.ui.table_format import styled_table
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
    frame: pl.DataFrame, columns: Mapping[str, Col], *, key: str, height: int | None = None
) -> None:
    """``frame``'s ``columns`` (in that order) as a table with titles, help texts and formats."""
    config: dict[str, Any] = {}
    for name, col in columns.items():
        if col.fmt is None:
            config[name] = st.column_config.Column(col.title, help=col.help, pinned=col.pinned)
        else:
            # No format here: the Styler draws format_value's text, as on the tiles (table_format.py).
            config[name] = st.column_config.NumberColumn(col.title, help=column_help(col.help, name))
    formats = {name: col.fmt for name, col in columns.items() if col.fmt}
    shown = styled_table(blank_not_in_data(frame.select(list(columns))), formats)
    # A short table needs no fixed height (it would show empty rows).
    shown_height: int | Literal["auto"] = (
        "auto" if height is None or 38 + 35 * frame.height <= height else height
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        key=key,
        width="stretch",
        height=shown_height,
        placeholder=MISSING,  # a blank (suppressed or undefined) number shows a dash, never "None"
    )


def download_detail(
    frame: pl.DataFrame, columns: Mapping[str, Col], *, title: str, view: View, key: str
) -> None:
    """The 'Download CSV' button for the table ``detail_dataframe`` shows, headers with units.

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
    download_csv(out, title=title, view=view, key=key, labels=labels)


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
