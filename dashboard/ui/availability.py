"""Missing data is not failure: what pages show for a metric whose inputs the warehouse lacks.

Tiles, tables, charts and exports ask ``missing_reason`` (through dashboard/data/profile.py);
a metric that is not in the data reads "not in your data" with a one-line reason and a link to
Definitions, never 0 and never a red target gap, and exports leave it empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import polars as pl
import streamlit as st

from dashboard.data.profile import current_profile
from metrics.availability import INPUT_REASONS, METRIC_INPUTS, NOT_IN_DATA, blank_missing
from metrics.registry import BY_NAME

DEFINITIONS_LINK = "[Definitions](/definitions)"
# Metrics that divide or follow from spend: a group without a campaign spent nothing one can
# divide, so they read "–" rather than €0.00 (which would rank it as the cheapest).
SPEND_METRICS = (
    "spend",
    "cost_per_lead",
    "cost_per_sale",
    "roi",
    "cost_per_reached_lead",
    "cost_per_sale_in_window",
)


def missing_reason(metric_name: str) -> str | None:
    """Why ``metric_name`` is not in the warehouse's data, or None when it is."""
    return current_profile().missing_reason(metric_name)


def missing(metric_names: Iterable[str]) -> dict[str, str]:
    """Each of ``metric_names`` that is not in the data, with the reason."""
    return current_profile().missing(metric_names)


def has_input(input_name: str) -> bool:
    """True when the warehouse holds input ``input_name`` (see metrics.availability.INPUT_REASONS)."""
    return current_profile().has(input_name)


def input_reason(input_name: str) -> str:
    """The plain-language reason input ``input_name`` is absent."""
    return INPUT_REASONS[input_name]


def blank_not_in_data(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the metric columns that are not in the data emptied (tables and exports)."""
    return blank_missing(frame, current_profile())


def no_spend_for_unassigned(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``frame`` (grouped by ``key``) with spend and the costs emptied on the row without a ``key``
    value ("(none)": leads without a campaign) and the costs emptied where a group spent nothing."""
    present = [c for c in SPEND_METRICS if c in frame.columns]
    if key not in frame.columns or not present:
        return frame
    unassigned = pl.col(key).is_null()
    nothing_spent = pl.col("spend").fill_null(0) <= 0 if "spend" in frame.columns else pl.lit(False)
    return frame.with_columns(
        pl.when(unassigned | (nothing_spent if c != "spend" else pl.lit(False)))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in present
    )


def not_in_data_notice(reason: str, what: str) -> None:
    """An info box: ``what`` cannot be shown because ``reason``, with the link to Definitions."""
    st.info(
        f"**{what}: {NOT_IN_DATA}.** {reason} {DEFINITIONS_LINK} says what each number needs.",
        icon=":material/info:",
    )


def column_help(help_text: str | None, metric_name: str) -> str | None:
    """A column's help, led by 'Not in your data: <reason>' when the metric is missing."""
    reason = missing_reason(metric_name)
    if reason is None:
        return help_text
    return f"{NOT_IN_DATA.capitalize()}: {reason}" + (f"\n\n{help_text}" if help_text else "")


def render_not_in_data() -> None:
    """The Definitions page's box: what the warehouse lacks, and which numbers therefore read
    "not in your data" (nothing when it lacks nothing)."""
    profile = current_profile()
    if not profile.absent:
        return
    lines = []
    for name in sorted(profile.absent, key=list(INPUT_REASONS).index):
        affected = [BY_NAME[m].label for m, inputs in METRIC_INPUTS.items() if name in inputs]
        lines.append(f"- {INPUT_REASONS[name]}" + (f" Affects: {', '.join(affected)}." if affected else ""))
    with st.container(border=True):
        st.markdown(
            f"**Not in your data.** These numbers read *{NOT_IN_DATA}* instead of 0, have no target gap, "
            "and are left empty in downloads, because what they count is absent:\n" + "\n".join(lines)
        )


def freshness_line(now: datetime | None = None) -> str | None:
    """'Leads up to 27 Nov 2026 09:12 UTC · checked 5 min ago': how fresh the data is (None: unknown)."""
    profile = current_profile()
    if profile.last_lead is None:
        return None
    line = f"Leads up to {profile.last_lead:%-d %b %Y %H:%M} UTC"
    if profile.read_at is not None:
        minutes = int(
            ((now or datetime.now(UTC).replace(tzinfo=None)) - profile.read_at).total_seconds() // 60
        )
        line += " · checked just now" if minutes < 1 else f" · checked {minutes} min ago"
    return line
