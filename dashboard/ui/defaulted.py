"""The note that some columns were not in the imported data but set to a constant by the import,
so nobody mistakes a default for data (loaders/imports/log.py records them)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from common.errors import LeadlineError
from dashboard.data import cached as data
from dashboard.ui.format import format_value


def defaulted_lines(frame: pl.DataFrame) -> list[str]:
    """'leads.created_at = 2019-01-01T00:00:00 in 9,237 rows (xeducation)', one per defaulted column."""
    return [
        f"`{r['table_name']}.{r['column_name']}` = `{r['default_value']}` in "
        f"{format_value(r['rows'], 'count')} rows (import {r['mapping_name']!r})"
        for r in frame.iter_rows(named=True)
    ]


def render_defaulted_columns() -> None:
    """A short note listing defaulted columns; nothing when there are none or the warehouse is down."""
    try:
        frame = data.defaulted_columns()
    except LeadlineError:  # the Definitions page opens without a warehouse; the note is not essential
        return
    if frame.is_empty():
        return
    with st.container(border=True):
        st.markdown(
            "**Defaulted columns.** These columns were not in your data and were set to a constant by the "
            "import, so numbers that depend on them (e.g. response times from a defaulted `created_at`) "
            "describe the default, not your leads:"
        )
        st.markdown("\n".join(f"- {line}" for line in defaulted_lines(frame)))
