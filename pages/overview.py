"""Overview: the Monday KPIs against the comparison period and targets, their weekly trend, and
the same KPIs by market, dealer group or brand."""

from __future__ import annotations

import streamlit as st

from common import settings
from dashboard.data import cached as data
from dashboard.filters.drill import breakdown_default
from dashboard.filters.sidebar import url_option, url_option_value
from dashboard.filters.view import current_view
from dashboard.ui import charts
from dashboard.ui.availability import missing
from dashboard.ui.drill import bar_targets, drill_chart, drill_hint, row_drill, row_targets
from dashboard.ui.export import download_csv
from dashboard.ui.fairness import young_leads_note
from dashboard.ui.kpi import kpi_row
from dashboard.ui.page import group_label_column, guarded, metrics_dataframe, no_leads_notice, page_header
from dashboard.ui.page_tiles import OVERVIEW_CLOCK_KPIS, OVERVIEW_KPIS
from dashboard.ui.peer_comparison import render_network_median
from dashboard.ui.table_options import more_columns_toggle, sort_select, sorted_rows
from dashboard.ui.young_weeks import AGE_JUDGED_METRICS, weekly_trend, young_weeks
from loaders.queries.aggregates import QUANTILE_COLUMNS
from metrics.registry import CODES_AND_SPEND_METRICS, metric

# Performance is judged fairly: response time in the dealer's business hours, conversion only of
# leads old enough to have been sold (issue 13). Clock time and raw conversion stay one click away.
KPIS = OVERVIEW_KPIS
CLOCK_KPIS = OVERVIEW_CLOCK_KPIS
TOP_BARS = 25
BREAKDOWNS = {"market": "Market", "dealer_group_id": "Dealer group", "dealer_id": "Dealer", "brand": "Brand"}

view = current_view()
page_header("Overview", "Are the leads you pay for followed up, how fast, and what becomes of them?", view)

with guarded():
    k = view.min_group_size
    targets = {
        "follow_up_rate": float(settings.get("target_follow_up_rate")),
        "conversion_in_window_rate": float(settings.get("target_conversion_rate")),
    }
    # The tiles, their comparison, the weekly trend and the breakdown below: one scan of the facts.
    by_default = breakdown_default(view.state, BREAKDOWNS, "market")
    asked_by = url_option_value("by", BREAKDOWNS, by_default)
    absent = missing(KPIS)  # the trend opens on a metric the data holds (follow-up needs activities)
    first_shown = next((n for n in ("follow_up_rate", *KPIS) if n not in absent), "leads")
    trend_options = {n: metric(n).label for n in KPIS}
    # The weeks' exact response-time quantiles only when the trend draws one (a sort per week), and
    # their close-reason and campaign counts and spend only when it draws a cost or the vague closes.
    asked_trend = url_option_value("trend", trend_options, first_shown)
    not_weekly = ((), (asked_by,))
    total, previous, (weekly, asked_groups) = data.view_tables(
        view,
        ("week",),
        (asked_by,),
        timed_groupings=None if asked_trend in QUANTILE_COLUMNS else not_weekly,
        coded_groupings=None if asked_trend in CODES_AND_SPEND_METRICS else not_weekly,
    )
    if weekly.is_empty():  # metrics_table has one row per week that has leads
        no_leads_notice()
        st.stop()
    kpi_row(KPIS, total, previous, min_group_size=k, targets=targets)
    young_leads_note(total, previous)
    with st.expander("Clock time and raw conversion"):
        kpi_row(CLOCK_KPIS, total, previous, min_group_size=k)
        st.caption(
            "Clock time counts nights, weekends and holidays; raw conversion counts leads too young to "
            "have been sold yet. The tiles above use business hours and mature leads."
        )

    render_network_median(view, total)  # dealer principals only

    st.subheader("Weekly trend")
    trend = url_option("trend", "Metric", trend_options, first_shown)
    if trend not in weekly.columns:  # a response time or cost chosen after the weeks were asked without
        weekly = data.metrics(view.query(("week",)), k)
    charts.show(weekly_trend(weekly, trend, target=targets.get(trend)), key="overview-trend")
    hidden_weeks = int(weekly["suppressed"].sum())
    notes = ["Weeks start on Monday; the first and last week may be partial."]
    if hidden_weeks:
        notes.append(f"{hidden_weeks} week(s) with fewer than {k} leads are left out of the line.")
    if trend in AGE_JUDGED_METRICS and young_weeks(weekly).any():
        window = int(settings.get("conversion_window_days"))
        notes.append(
            f"Grey band: weeks with leads younger than {window} days, too young to judge (sales not in yet)."
        )
    st.caption(" ".join(notes))

    st.subheader("By group")
    # One market chosen: its dealer groups; one dealer group: its dealers (a click goes one level down).
    by = url_option("by", "Break down by", BREAKDOWNS, by_default)
    groups = (asked_groups if by == asked_by else data.metrics(view.query((by,)), k)).sort(
        ["suppressed", "leads"], descending=[False, True], nulls_last=True
    )
    shown = group_label_column(groups, by, view)
    bars = groups.head(TOP_BARS)  # the busiest; the table below has every group
    drill_chart(
        charts.bar_chart(
            bars,
            by,
            trend,
            category_title=BREAKDOWNS[by],
            labels=[view.label(by, v) for v in bars[by].to_list()],
            min_group_size=k,
            target=targets.get(trend),
        ),
        key=f"overview-groups-{by}",
        view=view,
        targets=bar_targets(bars, by, view),
        reset_keys=("by",),
    )
    if groups.height > TOP_BARS:
        st.caption(
            f"The {TOP_BARS} {BREAKDOWNS[by].lower()}s with the most leads are drawn; the table has all {groups.height}."
        )
    drill_hint(f"a bar or a row ({BREAKDOWNS[by].lower()})")
    sort_columns = {"group": BREAKDOWNS[by], **{n: metric(n).label for n in (*KPIS, *CLOCK_KPIS)}}
    with st.container(horizontal=True, vertical_alignment="bottom"):
        column, descending = sort_select("ov", sort_columns, "-leads")
        more = more_columns_toggle("ov", len(CLOCK_KPIS))
    table = sorted_rows(shown, column, descending=descending)
    metrics_dataframe(
        table,
        first_column="group",
        first_title=BREAKDOWNS[by],
        metric_names=(*KPIS, *CLOCK_KPIS) if more else KPIS,
        key="overview-table",
        on_row_click=row_drill(f"overview-table-{by}", view, row_targets(table, {by: by}), ("by",)),
    )
    download_csv(
        shown.drop(by).select("group", *KPIS, *CLOCK_KPIS, "suppressed"),
        title=f"Overview by {BREAKDOWNS[by].lower()}",
        view=view,
        key="overview-csv",
        labels={"group": BREAKDOWNS[by]},
    )
