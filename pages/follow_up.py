"""Follow-up coverage: is every lead followed up, how fast, and where are the gaps?

For dealer principals: rate and speed by dealer group and dealer, when leads arrive against
when they are followed up, leads never contacted, leads worked twice, and what bad contact
data costs. Aggregates only; nothing here lists or ranks salespeople.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.data import cached as data
from dashboard.data import detail_tables
from dashboard.filters.drill import breakdown_default
from dashboard.filters.view import current_view
from dashboard.ui import charts
from dashboard.ui.availability import has_input, input_reason, not_in_data_notice
from dashboard.ui.campaign_charts import funnel_figure
from dashboard.ui.coverage_charts import (
    arrival_figure,
    bucket_share_bar,
    dealer_speed_columns,
    dealer_speed_table,
    gap_sentences,
    no_contact_figure,
    no_contact_targets,
    status_comparison_note,
)
from dashboard.ui.detail_table import (
    Col,
    detail_dataframe,
    download_detail,
    mark_suppressed,
    metric_col,
    ranked_table,
    with_label,
)
from dashboard.ui.drill import bar_targets, drill_chart, drill_hint
from dashboard.ui.kpi import kpi_row
from dashboard.ui.page import guarded, no_leads_notice, page_header, show_team_note
from dashboard.ui.page_tiles import FOLLOW_UP_CLOCK_KPIS, FOLLOW_UP_KPIS
from dashboard.ui.result_code_charts import attempted_reached_figure
from dashboard.ui.waiting_panel import waiting_panel
from metrics.detail_response import reach_funnel_table

# Business hours lead (the dealer's opening hours, issue 13); clock time is one click away.
KPIS = FOLLOW_UP_KPIS
CLOCK_KPIS = FOLLOW_UP_CLOCK_KPIS
DEALER_METRICS = (
    "leads",
    "follow_up_rate",
    "median_first_response_bh_min",
    "p90_first_response_bh_min",
    "median_first_response_min",
    "reach_rate",
    "coded_contact_rate",
)
# The dealer table's columns at 1440 px; the others are behind "More columns" (fu_cols=all).
DEFAULT_DEALER_COLUMNS = (
    "dealer",
    "leads",
    "follow_up_rate",
    "median_first_response_bh_min",
    "share_within_15_bh_min",
    "reach_rate",
    "share_never",
)
TOP_DEALERS = 15
TIMED = ((), ("dealer_id",))  # the tiles and the dealer table show response times; the groups' table does not
BUCKET_DIMS = {"dealer_group_id": "Dealer group", "dealer_id": "Dealer"}

bucket_tables = data.cached(detail_tables.response_bucket_tables)  # both splits of both groupings: one scan
arrival = data.cached(detail_tables.arrival_heat_map)
no_contact_ages = data.cached(detail_tables.no_contact_by_dealer_age)
duplicates = data.cached(detail_tables.duplicate_contact_by_dealer)
by_phone = data.cached(detail_tables.follow_up_by_phone_status)
by_email = data.cached(detail_tables.follow_up_by_email_status)
waiting = data.cached(detail_tables.waiting_now)

view = current_view()
page_header("Follow-up coverage", "Is every lead followed up, how fast, and where are the gaps?", view)

with guarded():
    k = view.min_group_size
    # The tiles, the comparison and both breakdowns from one scan of the period (data.view_tables);
    # no vague-close rate, spend or cost is shown here, so none is read, and no response time by
    # dealer group (the groups' table only says whether there are leads and holds their team flags).
    total, previous, (groups, dealers) = data.view_tables(
        view,
        ("dealer_group_id",),
        ("dealer_id",),
        share_team_flags=True,
        close_reasons_and_spend=False,
        timed_groupings=TIMED,
    )
    if groups.is_empty():
        no_leads_notice()
        st.stop()
    if has_input("activities"):  # without contacts every lead would read as waiting
        waiting_panel(waiting(view.query(), k), view)
    kpi_row(KPIS, total, previous, min_group_size=k, per_row=3)
    with st.expander("Clock time (nights, weekends and holidays included)"):
        kpi_row(CLOCK_KPIS, total, previous, min_group_size=k, per_row=3)
    st.caption(
        "Business hours: only the minutes the dealer is open count, in its own time zone: its opening hours "
        "and closed days from the warehouse, or the default hours (setting default_opening_hours)."
    )
    if not has_input("activities"):  # every section below counts contacts: none would read as "never"
        not_in_data_notice(input_reason("activities"), "Follow-up coverage")
        st.stop()

    st.subheader("How fast are leads answered?")
    # One dealer group chosen: its dealers, not a single bar (a click on a bar goes one level down).
    bucket_dim = breakdown_default(view.state, BUCKET_DIMS, "dealer_group_id")
    by_dealer = view.query(("dealer_id",))
    bh_buckets, clock_buckets, *dealer_buckets = bucket_tables(
        view.query((bucket_dim,)), k, also=(by_dealer,)
    )
    figure = bucket_share_bar(
        bh_buckets, bucket_dim, view, title=BUCKET_DIMS[bucket_dim], business_hours=True
    )
    drill_chart(
        figure, key=f"fu-bh-{bucket_dim}", view=view, targets=bar_targets(bh_buckets, bucket_dim, view)
    )
    drill_hint(f"a bar ({BUCKET_DIMS[bucket_dim].lower()})")
    st.caption(
        f"Each bar is one {BUCKET_DIMS[bucket_dim].lower()}'s leads, split by the business minutes from the lead's "
        "arrival to the first qualifying contact (outbound, by a person): only the minutes the dealer is open "
        "count. *Never*: not contacted (yet)."
    )
    with st.expander("Clock time (nights, weekends and holidays included)"):
        charts.show(
            bucket_share_bar(clock_buckets, bucket_dim, view, title=BUCKET_DIMS[bucket_dim]),
            key="fu-buckets",
        )

    st.subheader("Attempted is not reached")
    left, right = st.columns([2, 3])
    with left:
        charts.show(funnel_figure(reach_funnel_table(total, k)), key="fu-reach-funnel")
    with right:
        by_gap = (
            dealers.filter(~pl.col("suppressed"))
            .sort(pl.col("follow_up_rate") - pl.col("reach_rate"), descending=True, nulls_last=True)
            .head(TOP_DEALERS)
        )
        figure = attempted_reached_figure(by_gap, "dealer_id", view, title="Dealer")
        drill_chart(figure, key="fu-reach", view=view, targets=bar_targets(by_gap, "dealer_id", view))
    st.caption(
        "Attempted: leads with a qualifying contact. Reached: leads with a qualifying contact whose result "
        "code says the buyer was reached or an appointment was set (Definitions lists the codes). Dealers are "
        f"ordered by the gap between the two (at most {TOP_DEALERS}). A high follow-up rate with a low reach "
        "rate means calls at the wrong time, wrong numbers, or codes not keyed in: the dealer table below "
        "shows the share of coded calls."
    )

    st.markdown("**By dealer**")
    table = dealer_speed_table(dealers, *dealer_buckets).pipe(with_label, "dealer_id", view, "dealer")
    columns, exported = dealer_speed_columns(table, DEALER_METRICS)
    table = ranked_table(
        table,
        columns,
        DEFAULT_DEALER_COLUMNS,
        prefix="fu",
        key="fu-dealers",
        view=view,
        drill_columns={"dealer_id": "dealer_id"},
    )
    drill_hint("a dealer's row")
    show_team_note(table, DEALER_METRICS)
    download_detail(table, exported, title="Follow-up speed by dealer", view=view, key="fu-dealers-csv")

    st.subheader("When leads arrive, and whether they are followed up")
    if has_input("time_of_day"):
        charts.show(arrival_figure(arrival(view.query(), k), k), key="fu-arrival")
        st.caption(
            "Colour: follow-up rate of the leads that arrived in that hour (red low, teal high); hover for "
            f"the number of leads. Hours are the dealer's local time where its time zone is known, else UTC. "
            f"Blank cells: no leads, or fewer than {k}."
        )
    else:  # dates at midnight would all be drawn as arrivals in one hour of the night
        not_in_data_notice(input_reason("time_of_day"), "Arrival hours")

    st.subheader("Leads never contacted")
    ages = no_contact_ages(view.query(), k)
    per_dealer = (
        ages.filter(~pl.col("suppressed"))
        .group_by("dealer_id")
        .agg(pl.col("no_contact").sum().alias("total"))
        .filter(pl.col("total") > 0)
        .sort("total", descending=True)
    )
    if per_dealer.is_empty():
        st.success("Every lead older than 24 hours has been contacted.", icon=":material/check_circle:")
    else:
        shown_dealers = per_dealer["dealer_id"].head(TOP_DEALERS).to_list()
        figure = no_contact_figure(ages, shown_dealers, view)
        drill_chart(figure, key="fu-no-contact", view=view, targets=no_contact_targets(ages))
        more = per_dealer.height - len(shown_dealers)
        st.caption(
            "Leads older than 24 hours without a qualifying contact, by how long they have waited. "
            + (
                f"The {len(shown_dealers)} dealers with the most are shown; the table below has every dealer."
                if more > 0
                else ""
            )
        )
        wide = ages.pivot(
            on="age_bucket", index=["dealer_id", "dealer_name", "leads", "suppressed"], values="no_contact"
        )
        age_cols = [c for c in wide.columns if c not in ("dealer_id", "dealer_name", "leads", "suppressed")]
        wide = mark_suppressed(wide, "dealer_name", k)
        total_expr = pl.when(pl.col("suppressed")).then(None).otherwise(pl.sum_horizontal(age_cols))
        wide = wide.with_columns(total_expr.alias("no_contact")).sort(
            ["suppressed", "no_contact"], descending=[False, True], nulls_last=True
        )
        age_columns = {
            "dealer_name": Col("Dealer", pinned=True),
            "leads": metric_col("leads"),
            "no_contact": metric_col("no_contact"),
            **{
                c: Col(c, f"Never-contacted leads whose age at the last full hour is {c.lower()}.", "count")
                for c in age_cols
            },
        }
        with st.expander(f"All {wide.height} dealers"):
            detail_dataframe(wide, age_columns, key="fu-ages")
        download_detail(
            wide, age_columns, title="Leads never contacted by dealer and age", view=view, key="fu-ages-csv"
        )

    st.subheader("Leads worked by two or more people")
    dup = mark_suppressed(duplicates(view.query(), k), "dealer_name", k).sort(
        ["suppressed", "duplicate_contact_rate"], descending=[False, True], nulls_last=True
    )
    dup_columns = {
        "dealer_name": Col("Dealer", pinned=True),
        **{n: metric_col(n) for n in ("leads", "contacted", "duplicate_contact", "duplicate_contact_rate")},
    }
    st.caption(
        "Double work and mixed messages for the buyer: leads contacted by two or more different salespeople. "
        "Counted per dealer, never per person."
    )
    detail_dataframe(dup, dup_columns, key="fu-dup", height=300)
    download_detail(dup, dup_columns, title="Duplicate contact by dealer", view=view, key="fu-dup-csv")

    st.subheader("What bad contact data costs")
    phone, email = by_phone(view.query(), k), by_email(view.query(), k)
    sentences = gap_sentences(phone, "phone_status") + gap_sentences(email, "email_status")
    if sentences:
        st.markdown("\n".join(f"- {s}" for s in sentences))
    else:
        st.caption(status_comparison_note(phone, email, k))
    left, right = st.columns(2)
    for column, frame, kind, title in (
        (left, phone, "phone_status", "Phone number"),
        (right, email, "email_status", "E-mail address"),
    ):
        with column:
            labels = [str(v).capitalize() for v in frame[kind].to_list()]
            charts.show(
                charts.bar_chart(
                    frame, kind, "follow_up_rate", category_title=title, labels=labels, min_group_size=k
                ),
                key=f"fu-{kind}",
            )
    st.markdown("**Reached when called**")
    left, right = st.columns(2)
    for column, frame, kind, title in (
        (left, phone, "phone_status", "Phone number"),
        (right, email, "email_status", "E-mail address"),
    ):
        with column:
            labels = [str(v).capitalize() for v in frame[kind].to_list()]
            charts.show(
                charts.bar_chart(
                    frame,
                    kind,
                    "reached_of_contacted_rate",
                    category_title=title,
                    labels=labels,
                    min_group_size=k,
                ),
                key=f"fu-reach-{kind}",
            )
    st.caption(
        "Of the leads that were contacted, the share a call reached (result code reached or appointment). "
        "Leads with odd contact data get less effort; here is whether that effort pays off when it is made."
    )
    status_columns = {
        "status": Col("Status", pinned=True),
        "leads": metric_col("leads"),
        "follow_up_rate": metric_col("follow_up_rate"),
        "reached_of_contacted_rate": metric_col("reached_of_contacted_rate"),
        "points_vs_valid": Col(
            "Points vs valid",
            "Follow-up rate minus that of leads with valid data, in percentage points.",
            "number",
        ),
    }
    both = pl.concat(
        [
            phone.select(
                pl.concat_str(pl.lit("Phone: "), pl.col("phone_status")).alias("status"),
                "leads",
                "follow_up_rate",
                "points_vs_valid",
                "reached_of_contacted_rate",
                "suppressed",
            ),
            email.select(
                pl.concat_str(pl.lit("E-mail: "), pl.col("email_status")).alias("status"),
                "leads",
                "follow_up_rate",
                "points_vs_valid",
                "reached_of_contacted_rate",
                "suppressed",
            ),
        ]
    )
    download_detail(
        both, status_columns, title="Follow-up by contact-data status", view=view, key="fu-status-csv"
    )
