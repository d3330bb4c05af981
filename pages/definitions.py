"""Definitions: every metric of the registry with its exact definition, so no number is ambiguous."""

from __future__ import annotations

import streamlit as st

from common import settings
from common.markdown import literal_markdown
from dashboard.data import cached as data
from dashboard.filters.view import current_view
from dashboard.ui.availability import missing_reason, render_not_in_data
from dashboard.ui.charts import metric_color
from dashboard.ui.defaulted import render_defaulted_columns
from dashboard.ui.format import format_metric, unit
from dashboard.ui.page import guarded
from metrics.registry import DERIVED_METRICS, METRICS

BETTER = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neutral": "Neither higher nor lower is better",
}

view = current_view()
st.title("Definitions")
st.caption(
    "What every number on this dashboard means, in plain words first; each one's exact definition (the "
    "warehouse columns and rules) is one click below. The same texts appear as help (?) next to each number."
)

with guarded():
    k = view.min_group_size
    targets = {
        "follow_up_rate": settings.get("target_follow_up_rate"),
        "conversion_rate": settings.get("target_conversion_rate"),
    }
    with st.container(border=True):
        st.markdown(
            f"""
**Lead set L.** The leads a number counts: created (by the buyer) within the period, days in UTC,
both ends included; matching every filter; within your access; and not refused consent
(a lead whose buyer refused or withdrew consent is never loaded, counted or shown).

**Qualifying contact.** An outbound contact by a person (auto-responders never count), at or after
the lead's creation.

**Small groups are suppressed.** A group with fewer than {k} leads shows *fewer than {k} leads*
instead of its numbers, on every page and in every export, so no number points at one buyer or
salesperson. Nothing on this dashboard lists or ranks individual salespeople.

**Comparison.** Each KPI's change is against the period chosen under *Compare with*: the previous
period (the default), or the same dates a year earlier. The previous period follows the calendar
when the period is a month, quarter or year (Q3 against Q2, a month against the month before; this
month or quarter to date against the same days of the one before; the year to date against the same
dates last year); otherwise it is the same number of days just before. Rates change in percentage
points (pts), durations in minutes, counts and money in percent. A change that rests on fewer than 20
(leads, or of what a count counts) is shown in grey, a count's change as the counts ("+1 (4 before)").

**Periods.** Quick picks: the last 7, 30 or 90 days, this and last month, this and last quarter,
year to date, the last 12 months and last year; weeks start on Monday everywhere.

**Targets.** Follow-up rate {format_metric("follow_up_rate", targets["follow_up_rate"])},
conversion rate {format_metric("conversion_rate", targets["conversion_rate"])} (settings
`LEADLINE_TARGET_FOLLOW_UP_RATE`, `LEADLINE_TARGET_CONVERSION_RATE`).
"""
        )

    render_not_in_data()  # inputs the warehouse lacks, and the numbers that therefore read "not in your data"
    render_defaulted_columns()  # constants an import set where the data had no value

    search = st.text_input("Find a metric", placeholder="e.g. response, ROI, lost", key="definitions-search")
    needle = search.strip().casefold()
    shown = [
        m
        for m in (*METRICS, *DERIVED_METRICS)
        if not needle or needle in f"{m.label} {m.name} {m.plain} {m.definition}".casefold()
    ]
    if not shown:
        st.info(f"No metric mentions {literal_markdown(repr(search), 60)}.")
    columns = st.columns(2)
    for index, m in enumerate(shown):
        with columns[index % 2], st.container(border=True):
            st.markdown(
                f'<span style="display:inline-block;width:0.8em;height:0.8em;border-radius:50%;'
                f'background:{metric_color(m.name)};margin-right:0.4em"></span>'
                f"**{m.label}** &nbsp; `{m.name}`",
                unsafe_allow_html=True,
            )
            st.markdown(m.plain)  # what a dealer reads first, in plain words (our own text)
            with st.expander("Exact definition"):  # column names and rules, one click below
                st.markdown(m.definition.replace("_", r"\_"))
            shown_unit = unit(m) or ("count" if m.format == "count" else "plain number")
            st.caption(f"Unit: {shown_unit} · {BETTER[m.better]}")
            if (reason := missing_reason(m.name)) is not None:
                st.caption(f":orange[Not in your data: {reason}]")

# Read from the warehouse, so in a block of its own: the definitions above stay readable when it fails.
with guarded(key="definitions-result-codes-retry"):
    st.subheader("Call result codes")
    with st.expander("The result-code taxonomy in force"):
        taxonomy = data.result_taxonomy()
        where = (
            "the warehouse's result_codes table"
            if taxonomy["from_warehouse"].any()
            else "Leadline's default (the warehouse has no result_codes rows)"
        )
        st.markdown(
            f"Taxonomy: **{where}**. Codes are compared after trimming blanks, case included. A code not "
            "listed here counts as *unknown*, a missing or blank one as *uncoded*. A lead's best outcome is, "
            "in this order: appointment, reached, not reached, invalid contact, other, unknown, uncoded, "
            "never contacted."
        )
        st.dataframe(
            taxonomy.select("code", "category", "label"),
            hide_index=True,
            width="stretch",
            key="definitions-result-codes",
        )
