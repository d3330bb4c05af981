"""A minimum-volume control: hide groups with fewer than N leads from a ranking table, kept in the URL.

A cost per sale on 6 leads ranks a campaign as well as one on 6,000; hiding the small ones lets
a table be read as a ranking. Hidden groups are counted under the table, never silently dropped.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

MAX_MIN_LEADS = 1_000_000


def min_volume_filter(frame: pl.DataFrame, *, key: str = "min", label: str = "groups") -> pl.DataFrame:
    """``frame`` without the rows of fewer than N leads, N chosen in a number input kept in the URL
    as ``key`` (0 or absent: nothing hidden; the key must be in the page's ``PageSpec.url_keys``)."""
    session_key, written_key = f"opt_{key}", f"opt_{key}_written"
    raw = st.query_params.get(key)
    # Seed from the URL on a fresh session or when a link changed it (not when the widget did).
    if session_key not in st.session_state or raw != st.session_state.get(written_key):
        try:
            st.session_state[session_key] = max(0, min(int(raw or 0), MAX_MIN_LEADS))
        except ValueError:
            st.caption(
                f":orange[The link's {key}={str(raw)[:20]!r} is not a whole number; showing every group.]"
            )
            st.session_state[session_key] = 0
    minimum = int(
        st.number_input(
            "Hide groups under this many leads",
            min_value=0,
            max_value=MAX_MIN_LEADS,
            step=10,
            key=session_key,
            help="A figure on a handful of leads ranks as high as one on thousands; hide the small groups "
            "to read the table as a ranking. 0 shows every group.",
        )
    )
    if minimum:
        st.query_params[key] = str(minimum)
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state[written_key] = str(minimum) if minimum else None
    if not minimum or "leads" not in frame.columns:
        return frame
    kept = frame.filter(pl.col("leads").fill_null(0) >= minimum)
    hidden = frame.height - kept.height
    if hidden:
        st.caption(f"{hidden} {label} with fewer than {minimum:,} leads are hidden (set 0 to show them).")
    return kept
