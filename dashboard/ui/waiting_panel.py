"""The "leads waiting now" panel at the top of Follow-up: aggregate counts per dealer, never a lead list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.filters.view import View
from dashboard.ui.detail_table import Col, detail_dataframe, with_label
from metrics.waiting_now import BUCKET_LABELS, waiting_sentence


def waiting_panel(table: pl.DataFrame, view: View) -> None:
    """The sentence ("37 leads are waiting; 12 for a business day or more") and the dealers with waiting leads."""
    with st.container(border=True):
        st.markdown(f"**Waiting now** · {waiting_sentence(table)}")
        st.caption(
            "Leads of the last 7 days (before the as-of time) with no qualifying contact yet and not closed, "
            "by how long they have waited in the dealer's business hours. Filters apply; the period does not."
        )
        shown = table.filter(pl.col("suppressed") | (pl.col("waiting") > 0))
        if shown.filter(~pl.col("suppressed")).is_empty():
            return
        columns = {
            "dealer": Col("Dealer", pinned=True),
            "waiting": Col("Waiting", "Leads waiting for a first contact.", "count"),
            **{
                name: Col(label, f"Waiting leads: {label.lower()}.", "count")
                for name, label in BUCKET_LABELS.items()
            },
        }
        with st.expander(f"By dealer ({shown.filter(~pl.col('suppressed')).height} with leads waiting)"):
            detail_dataframe(
                with_label(shown, "dealer_id", view, "dealer"), columns, key="fu-waiting", height=300
            )
