"""Close reasons: why leads are lost, which reasons tell nobody anything, and what to do next.

Lost leads by category and reason (vague reasons flagged), the vague share by dealer, how many
leads were written off after one attempt, and the next action the taxonomy suggests per reason.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data import detail_tables
from dashboard.filters.view import current_view
from dashboard.ui import charts
from dashboard.ui.close_reason_charts import (
    VAGUE_MARK,
    attempts_figure,
    category_name,
    reason_label,
    reasons_figure,
)
from dashboard.ui.detail_table import Col, detail_dataframe, download_detail, mark_suppressed, metric_col
from dashboard.ui.drill import drill_chart, drill_hint, row_drill, row_targets
from dashboard.ui.fairness import young_losses_note
from dashboard.ui.format import format_value
from dashboard.ui.kpi import kpi_row
from dashboard.ui.page import guarded, no_leads_notice, page_header

KPIS = ("lost", "vague_close_rate", "lost_after_one_attempt_rate")
TOP_DEALERS = 20

close_reasons = data.cached(detail_tables.close_reasons)
vague_by_dealer = data.cached(detail_tables.vague_reasons_by_dealer)
attempts = data.cached(detail_tables.attempts_before_write_off)

view = current_view()
page_header("Close reasons", "Why are leads lost, and what should happen next?", view)

with guarded():
    k = view.min_group_size
    if not data.has_leads(view.query(), k):
        no_leads_notice()
        st.stop()
    total, previous = data.period_totals(view, response_times=False)  # no response time shown here
    kpi_row(KPIS, total, previous, min_group_size=k, per_row=3)
    young_losses_note(total, previous)  # "lost leads -70 %" on a young period is not good news

    reasons = close_reasons(view.query(), k)
    if reasons.filter(~pl.col("suppressed") & (pl.col("count") > 0)).is_empty():
        st.info(
            f"No close reasons to show: no lead in this view was lost, or fewer than {k} were.",
            icon=":material/info:",
        )
        st.stop()

    st.subheader("Why leads are lost")
    charts.show(reasons_figure(reasons), key="cr-reasons")
    st.caption(
        f"Lost leads (closed without a sale) by the close reason the salesperson chose, grouped by category. "
        f"{VAGUE_MARK}marks a vague reason (outlined in ochre): it tells marketing nothing about why the "
        "lead was lost. A code that is not in the taxonomy, or no code at all, counts as vague."
    )

    st.subheader("What to do next")
    actions = reasons.filter(~pl.col("suppressed") & (pl.col("count") > 0)).sort("count", descending=True)
    actions = actions.with_columns(
        pl.Series(
            "category_name", [category_name(c) for c in actions["category"].to_list()], dtype=pl.String
        ),
        pl.Series(
            "reason",
            [
                reason_label(r["label"], r["close_reason_code"], r["is_vague"])
                for r in actions.iter_rows(named=True)
            ],
            dtype=pl.String,
        ),
    )
    action_columns = {
        "reason": Col("Close reason", pinned=True),
        "category_name": Col("Category"),
        "count": Col("Lost leads", "Lost leads closed with this reason.", "count"),
        "share": Col("Share of lost", "This reason's lost leads / all lost leads in the view.", "percent"),
        "next_action": Col("Next action", "What the close-reason taxonomy suggests sales or marketing do."),
    }
    detail_dataframe(actions, action_columns, key="cr-actions", height=360)
    download_detail(
        actions, action_columns, title="Close reasons and next actions", view=view, key="cr-actions-csv"
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Written off too early?")
        tries = attempts(view.query(), k)
        charts.show(attempts_figure(tries, k), key="cr-attempts")
        counts = dict(tries.filter(~pl.col("suppressed")).select("attempts", "count").iter_rows())
        if counts.get("0") is not None and counts.get("1") is not None:
            st.markdown(
                f"**{format_value(counts['1'], 'count')}** lost leads were written off after a single "
                f"attempt, and **{format_value(counts['0'], 'count')}** without any qualifying contact."
            )
        st.caption("Qualifying contacts (outbound, by a person) at or before the lead was closed.")
        attempt_columns = {
            "attempts": Col("Attempts", "Qualifying contacts before the lead was closed."),
            "count": Col("Lost leads", "Lost leads closed after this many attempts.", "count"),
            "share": Col("Share of lost", "These lost leads / all lost leads in the view.", "percent"),
        }
        download_detail(
            tries, attempt_columns, title="Attempts before write-off", view=view, key="cr-attempts-csv"
        )
    with right:
        st.subheader("Vague reasons by dealer")
        vague = (
            mark_suppressed(vague_by_dealer(view.query(), k), "dealer_name", k)
            .rename({"vague_share": "vague_close_rate"})
            .sort(["suppressed", "vague_close_rate", "lost"], descending=[False, True, True], nulls_last=True)
        )
        top = vague.filter(~pl.col("suppressed") & (pl.col("lost") > 0)).head(TOP_DEALERS)
        if top.is_empty():
            st.caption(f"No dealer has {k} or more leads in this view.")
        else:
            labels = [n or d for n, d in top.select("dealer_name", "dealer_id").iter_rows()]
            drill_chart(
                charts.bar_chart(
                    top,
                    "dealer_id",
                    "vague_close_rate",
                    category_title="Dealer",
                    labels=labels,
                    min_group_size=k,
                ),
                key="cr-vague",
                view=view,
                targets={label: {"dealer_id": d} for label, d in zip(labels, top["dealer_id"], strict=True)},
            )
            drill_hint("a dealer's bar or row")
            st.caption(
                f"The {top.height} dealers with the highest share of vague close reasons; all in the table."
            )
    vague_columns = {
        "dealer_name": Col("Dealer", pinned=True),
        **{n: metric_col(n) for n in ("leads", "lost")},
        "vague_lost": Col(
            "Vague lost leads", "Lost leads with a vague, unknown or missing close reason.", "count"
        ),
        "vague_close_rate": metric_col("vague_close_rate"),
    }
    with st.expander(f"Vague close reasons, all {vague.height} dealers"):
        detail_dataframe(
            vague,
            vague_columns,
            key="cr-vague-table",
            height=320,
            on_row_click=row_drill("cr-vague-table", view, row_targets(vague, {"dealer_id": "dealer_id"})),
        )
    download_detail(
        vague, vague_columns, title="Vague close reasons by dealer", view=view, key="cr-vague-csv"
    )
