"""Lead delivery: did every lead a source sent reach the dealer's CRM?

Sent against delivered by source, dealer and week, so a break (a CRM switch nobody mapped a
feed to) stands out, and the stretches of weeks whose leads never arrived, in words.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data import detail_tables
from dashboard.filters.view import current_view
from dashboard.ui.availability import has_input, input_reason, not_in_data_notice
from dashboard.ui.delivery_charts import (
    delivered_share_figure,
    heat_map_rows,
    notable_runs,
    run_sentence,
)
from dashboard.ui.detail_table import Col, detail_dataframe, download_detail, metric_col, with_label
from dashboard.ui.drill import clickable_cells, drill_chart, drill_hint, row_drill, row_targets
from dashboard.ui.kpi import kpi_row
from dashboard.ui.page import guarded, no_leads_notice, page_header

delivery_cells = data.cached(detail_tables.lead_delivery)
undelivered_runs = data.cached(detail_tables.undelivered_runs)

view = current_view()
page_header("Lead delivery", "Did every lead a source sent reach the dealer's CRM?", view)

with guarded():
    k = view.min_group_size
    # The tiles, their comparison and the source x dealer table: one scan of the facts.
    total, previous, (pairs,) = data.view_tables(
        view, ("source", "dealer_id"), people=False, close_reasons_and_spend=False
    )  # no speed, close reason or cost shown here
    if pairs.is_empty():
        no_leads_notice()
        st.stop()
    kpi_row(("leads", "undelivered"), total, previous, min_group_size=k, per_row=2)
    if not has_input("delivery"):  # without delivery receipts every lead would read "undelivered"
        not_in_data_notice(input_reason("delivery"), "Lead delivery")
        st.stop()

    st.subheader("Breaks in delivery")
    runs = undelivered_runs(view.query(), k)
    notable = notable_runs(runs, k)
    if notable.is_empty():
        st.success(
            "No break in delivery: no source · dealer lost half or more of its leads in a row of weeks "
            f"(with at least {k} leads not delivered).",
            icon=":material/check_circle:",
        )
    for run in notable.iter_rows(named=True):
        st.warning(run_sentence(run, view), icon=":material/link_off:")

    shown_runs = (
        runs.filter(~pl.col("suppressed"))
        .sort("undelivered", descending=True)
        .pipe(with_label, "source", view)
        .with_columns(
            pl.col("first_week").clip(lower_bound=view.state.start).alias("first_day"),
            pl.col("last_week").dt.offset_by("6d").clip(upper_bound=view.state.end).alias("last_day"),
        )
    )
    run_columns = {
        "source": Col("Source", pinned=True),
        "dealer_name": Col("Dealer", pinned=True),
        "first_day": Col("From", "First day of the run: Monday of its first week (or the period's start)."),
        "last_day": Col("To", "Last day of the run's last week (or of the period)."),
        "weeks": Col(
            "Weeks",
            "Consecutive weeks in which some leads of this source and dealer were not delivered.",
            "count",
        ),
        "sent": Col("Sent", "Leads the source sent to this dealer in those weeks.", "count"),
        "undelivered": metric_col("undelivered"),
    }
    hidden_runs = int(runs["suppressed"].sum())
    with st.expander(
        f"Every run of undelivered leads ({shown_runs.height})",
        expanded=notable.is_empty() and shown_runs.height > 0,
    ):
        detail_dataframe(shown_runs, run_columns, key="dl-runs", height=320)
        if hidden_runs:
            st.caption(f"{hidden_runs} more run(s) about fewer than {k} leads are not listed.")
    download_detail(shown_runs, run_columns, title="Undelivered runs", view=view, key="dl-runs-csv")

    st.subheader("Delivered share by source, dealer and week")
    rows = heat_map_rows(pairs)
    cells = delivery_cells(view.query(), k)
    if rows.is_empty() or cells.is_empty():
        st.info(f"No source · dealer has {k} or more leads in this period, so there is nothing to draw.")
    else:
        figure, cell_targets = clickable_cells(
            delivered_share_figure(cells, rows, view),
            row_targets(rows, {"source": "source", "dealer_id": "dealer_id"}),
        )  # a cell's row -> its source and dealer
        drill_chart(figure, key="dl-heat", view=view, targets=cell_targets)
        drill_hint("a cell (a source · dealer)")
        st.caption(
            "Each row is a lead source feeding one dealer: first the rows with undelivered leads (most first), "
            f"then the busiest. Orange: part of the week's leads never reached the dealer's CRM. Blank: no "
            f"leads that week, or fewer than {k}. Weeks start on Monday; the first and last may be partial."
        )

    st.subheader("By source and dealer")
    summary = (
        pairs.sort(["suppressed", "undelivered", "leads"], descending=[False, True, True], nulls_last=True)
        .with_columns(pl.col("source").alias("source_value"))
        .pipe(with_label, "source", view)
        .pipe(with_label, "dealer_id", view, "dealer")
    )
    summary_columns = {
        "source": Col("Source", pinned=True),
        "dealer": Col("Dealer", pinned=True),
        "leads": metric_col("leads"),
        "undelivered": metric_col("undelivered"),
    }
    detail_dataframe(
        summary,
        summary_columns,
        key="dl-pairs",
        on_row_click=row_drill(
            "dl-pairs", view, row_targets(summary, {"source": "source_value", "dealer_id": "dealer_id"})
        ),
    )
    drill_hint("a row")
    download_detail(
        summary, summary_columns, title="Delivery by source and dealer", view=view, key="dl-pairs-csv"
    )
