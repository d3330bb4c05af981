"""Campaigns & ROI: what each campaign, channel and source costs, and what it brings.

For brand marketing: leads, cost per lead, invalid-contact rate, cost per reached lead, contact,
appointment and conversion rates, cost per sale, gross profit and ROI per group; lead quality from
call result codes (the best outcome of each lead); the funnel; cost per lead against conversion, so weak
sources stand out; and why each group's lost leads were lost.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data import detail_tables
from dashboard.filters.drill import breakdown_default
from dashboard.filters.sidebar import url_option, url_option_value
from dashboard.filters.view import current_view
from dashboard.ui import charts
from dashboard.ui.availability import has_input, input_reason, no_spend_for_unassigned, not_in_data_notice
from dashboard.ui.campaign_charts import cost_conversion_figure, funnel_figure
from dashboard.ui.close_reason_charts import category_mix, category_mix_figure
from dashboard.ui.detail_table import Col, download_detail, metric_col
from dashboard.ui.drill import bar_targets, drill_chart, drill_hint, row_drill, row_targets
from dashboard.ui.fairness import young_leads_note
from dashboard.ui.kpi import kpi_row
from dashboard.ui.page import group_label_column, guarded, metrics_dataframe, no_leads_notice, page_header
from dashboard.ui.page_tiles import CAMPAIGNS_KPIS
from dashboard.ui.result_code_charts import QUALITY_SORTS, best_outcome_figure, quality_order
from dashboard.ui.table_options import more_columns_toggle, sort_select, sorted_rows
from dashboard.ui.volume import min_volume_filter
from metrics.derived import with_derived_metrics, with_derived_row
from metrics.registry import metric

# Performance is judged on leads old enough to have been sold (issue 13): conversion within the
# window and the cost per sale at that conversion. The raw figures are one click away and in the CSV.
KPIS = CAMPAIGNS_KPIS
RAW_KPIS = ("conversion_rate", "cost_per_sale")
TABLE_METRICS = (
    "leads",
    "spend",
    "cost_per_lead",
    "invalid_contact_rate",
    "cost_per_reached_lead",
    "reach_rate",
    "follow_up_rate",
    "appointment_rate",
    "conversion_in_window_rate",
    "cost_per_sale_in_window",
    "gross_profit",
    "roi",
)
# What a marketer ranks by fits a 1440 px screen; the rest is behind "More columns" (cp_cols=all).
DEFAULT_COLUMNS = (
    "leads", "spend", "cost_per_lead", "conversion_in_window_rate", "cost_per_sale_in_window", "gross_profit", "roi"
)
TOP_GROUPS = 20
GROUPINGS = {"campaign_id": "Campaign", "channel": "Channel", "source": "Source"}

funnel = data.cached(detail_tables.funnel)
close_reasons = data.cached(detail_tables.close_reasons)
lead_quality = data.cached(detail_tables.result_codes)

view = current_view()
page_header(
    "Campaigns & ROI", "What does each campaign, channel and source cost, and what does it bring?", view
)

with guarded():
    k = view.min_group_size
    if not data.has_leads(view.query(), k):
        no_leads_notice()
        st.stop()
    # The tiles, their comparison and the table by campaign (or channel, source): one scan of the facts.
    by_default = breakdown_default(view.state, GROUPINGS, "campaign_id")
    asked_by = url_option_value("per", GROUPINGS, by_default)
    total, previous, (asked_groups,) = data.view_tables(view, (asked_by,), people=False)  # no speed shown here
    total, previous = with_derived_row(total) or total, with_derived_row(previous)
    kpi_row(KPIS, total, previous, min_group_size=k, per_row=3)
    young_leads_note(total, previous)
    with st.expander("Raw conversion and cost per sale"):
        kpi_row(RAW_KPIS, total, previous, min_group_size=k, per_row=3)
        st.caption(
            "Raw conversion and cost per sale count every lead, also those too young to have been sold yet. "
            "The tiles above count sales within the window, of leads old enough to judge."
        )

    # One campaign chosen: its sources; one source or channel: its campaigns (a click goes one level down).
    by = url_option("per", "Compare by", GROUPINGS, by_default)
    title = GROUPINGS[by]
    groups = with_derived_metrics(
        (asked_groups if by == asked_by else data.metrics(view.query((by,)), k)).sort(
            ["suppressed", "leads"], descending=[False, True], nulls_last=True
        )
    ).pipe(no_spend_for_unassigned, by)  # "(none)" spent nothing one can divide: "–", not €0.00
    shown = group_label_column(groups, by, view)

    st.subheader(f"By {title.lower()}")
    shown = min_volume_filter(shown, label=f"{title.lower()}s")  # a ranking on a handful of leads misleads
    with st.container(horizontal=True, vertical_alignment="bottom"):
        column, descending = sort_select("cp", {"group": title, **{n: metric(n).label for n in TABLE_METRICS}}, "-leads")
        more = more_columns_toggle("cp", len(TABLE_METRICS) - len(DEFAULT_COLUMNS))
    shown = sorted_rows(shown, column, descending=descending)
    metrics_dataframe(
        shown,
        first_column="group",
        first_title=title,
        metric_names=TABLE_METRICS if more else [n for n in TABLE_METRICS if n in DEFAULT_COLUMNS],
        key="cp-table",
        on_row_click=row_drill(f"cp-table-{by}", view, row_targets(shown, {by: by}), ("per",)),
    )
    drill_hint(f"a row ({title.lower()})")
    download_csv_columns = {"group": Col(title), **{n: metric_col(n) for n in (*TABLE_METRICS, *RAW_KPIS)}}
    download_detail(
        shown, download_csv_columns, title=f"Campaigns and ROI by {title.lower()}", view=view, key="cp-csv"
    )
    if by == "campaign_id":
        st.caption(
            "*(none)*: leads without a campaign (organic, direct). Spend is allocated as Definitions explains."
        )

    st.subheader(f"Lead quality by {title.lower()}: what the leads turn out to be")
    sort = url_option("quality", "Order by", QUALITY_SORTS, "invalid")
    dist = lead_quality(view.query((by,)), k)
    order = quality_order(groups, by, sort, TOP_GROUPS)
    if dist.filter(~pl.col("suppressed")).is_empty():
        st.info(f"No {title.lower()} has {k} or more leads in this view.", icon=":material/info:")
    else:
        drill_chart(
            best_outcome_figure(dist, by, view, title=title, order=order),
            key=f"cp-quality-{by}",
            view=view,
            targets=bar_targets(dist, by, view),
            reset_keys=("per",),
        )
        n_groups = dist[by].n_unique()
        more = f" {len(order)} of {n_groups} are shown; the CSV has all." if n_groups > len(order) else ""
        st.caption(
            "Each bar splits one group's leads by the best result code any call keyed in: appointment, reached, "
            "not reached, invalid contact data (wrong number, number not in service, bounced e-mail) ... "
            "Every lead is counted once. A large brown share means contact data that could never work: "
            f"ask the source to validate it, or stop buying. Ordered by the rates of the table above (the "
            f"invalid-contact rate is of contacted leads, so it can rank a source higher than its bar does).{more}"
        )
        quality_columns = {
            by: Col(title),
            "label": Col(
                "Best outcome", "The best result-code category among the lead's qualifying contacts."
            ),
            "count": Col("Leads", "Leads of the group with this best outcome.", "count"),
            "share": Col("Share of leads", "These leads / the group's leads.", "percent"),
        }
        labelled = dist.with_columns(
            pl.Series(by, [view.label(by, v) for v in dist[by].to_list()], dtype=pl.String)
        )
        download_detail(
            labelled,
            quality_columns,
            title=f"Lead quality by {title.lower()}",
            view=view,
            key="cp-quality-csv",
        )

    left, right = st.columns(2)
    with left:
        st.subheader("Funnel")
        charts.show(funnel_figure(funnel(view.query(), k)), key="cp-funnel")
        st.caption(
            "Leads that reached each stage, with the share of all leads. Each stage is counted on its own "
            "(a lead can be sold without a recorded test drive), so a later stage can be larger."
        )
    with right:
        st.subheader("Cost per lead against conversion")
        visible = groups.filter(~pl.col("suppressed") & (pl.col("spend") > 0))
        if not has_input("spend"):
            not_in_data_notice(input_reason("spend"), "Cost per lead")
        elif visible.is_empty():
            st.info(
                f"No {title.lower()} has {k} or more leads and a spend to compare.", icon=":material/info:"
            )
        else:
            names = [view.label(by, v) for v in visible[by].to_list()]
            charts.show(cost_conversion_figure(visible, names, group_title=title), key="cp-scatter")
            hidden = int(groups["suppressed"].sum())
            note = f" {hidden} {title.lower()}(s) with fewer than {k} leads are left out." if hidden else ""
            unpaid = groups.filter(~pl.col("suppressed") & ~(pl.col("spend").fill_null(0) > 0)).height
            note += (
                f" {unpaid} without spend (e.g. leads without a campaign) have no cost per lead."
                if unpaid
                else ""
            )
            st.caption(
                f"One bubble per {title.lower()}, its size the number of leads. Bottom right: expensive leads "
                f"that rarely become sales.{note}"
            )

    st.subheader(f"Why each {title.lower()}'s lost leads were lost")
    mix = category_mix(close_reasons(view.query((by,)), k), by)
    if mix.filter(~pl.col("suppressed") & (pl.col("count") > 0)).is_empty():
        st.info(f"No {title.lower()} has {k} or more lost leads in this view.", icon=":material/info:")
    else:
        drill_chart(
            category_mix_figure(mix, by, view, title=title, top=TOP_GROUPS),
            key=f"cp-mix-{by}",
            view=view,
            targets=bar_targets(mix, by, view),
            reset_keys=("per",),
        )
        groups_with_lost = mix[by].n_unique()
        more = (
            f" The {TOP_GROUPS} with the most lost leads are shown; the CSV has all {groups_with_lost}."
            if groups_with_lost > TOP_GROUPS
            else ""
        )
        st.caption(
            "Each bar splits one group's lost leads by close-reason category (Close reasons has the details). "
            f"A large *Pollution* share means leads that should never have been paid for.{more}"
        )
        mix_columns = {
            by: Col(title),
            "category": Col("Category", "Close-reason category of the taxonomy."),
            "count": Col(
                "Lost leads", "Lost leads of the group closed with a reason of this category.", "count"
            ),
            "share": Col("Share of lost", "These lost leads / the group's lost leads.", "percent"),
        }
        labelled = mix.with_columns(
            pl.Series(by, [view.label(by, v) for v in mix[by].to_list()], dtype=pl.String)
        )
        download_detail(
            labelled.sort(by, "category"),
            mix_columns,
            title=f"Close-reason mix by {title.lower()}",
            view=view,
            key="cp-mix-csv",
        )
