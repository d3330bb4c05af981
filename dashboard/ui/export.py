"""CSV downloads of the tables a page shows: aggregates only, suppression applied, filters named.

The file starts with comment lines (``# ...``) that name the table, the period, the
filters and the suppression rule, and the file name carries the period and filters, so
a downloaded file still says what it holds. Metric columns are headed by their label
and unit; rates are written in percent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import polars as pl
import streamlit as st

from dashboard.filters.view import View
from dashboard.ui.format import axis_title, suppressed_text, team_note
from metrics.registry import BY_NAME

NOTE_COLUMN = "note"
_MAX_NAME = 120


def export_frame(
    frame: pl.DataFrame, *, min_group_size: int, labels: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """``frame`` ready to write: metric columns renamed to 'Label (unit)', percents x 100,
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
        (pl.col(c) * 100).round(2).alias(c)
        for c in out.columns
        if c in BY_NAME and BY_NAME[c].format in ("percent", "ratio")
    ]
    out = out.with_columns(scaled) if scaled else out
    renames = {c: axis_title(BY_NAME[c]) for c in out.columns if c in BY_NAME}
    renames.update({c: name for c, name in (labels or {}).items() if c in out.columns})
    return out.rename(renames)


def csv_text(frame: pl.DataFrame, *, title: str, view: View) -> str:
    """The CSV: comment lines naming what it holds, then the header and rows."""
    header = [
        f"# Leadline: {title}",
        f"# Period and filters: {view.describe()}",
        f"# Groups with fewer than {view.min_group_size} leads are suppressed (no numbers shown).",
    ]
    if "team_suppressed" in frame.columns:
        header.append(f"# team_suppressed = true: {team_note(view.min_group_size)}")
    return "\n".join(header) + "\n" + frame.write_csv()


def file_name(title: str, view: View) -> str:
    """``leadline_<title>_<start>_<end>[_<filters>].csv``, only safe characters, bounded length."""
    parts = [title, view.state.start.isoformat(), view.state.end.isoformat()]
    for dim, values in view.state.filters:
        parts.append(f"{dim.removesuffix('_id')}-{'+'.join(values)}")
    slug = re.sub(r"[^A-Za-z0-9+._-]+", "-", "_".join(parts)).strip("-")
    return f"leadline_{slug[:_MAX_NAME]}.csv"


def download_csv(
    frame: pl.DataFrame,
    *,
    title: str,
    view: View,
    key: str,
    labels: Mapping[str, str] | None = None,
) -> None:
    """A 'Download CSV' button for ``frame`` (a metrics or detail table as shown on the page)."""
    out = export_frame(frame, min_group_size=view.min_group_size, labels=labels)
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
