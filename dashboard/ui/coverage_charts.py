"""Drawing for the Follow-up coverage page: response-time buckets, arrival heat map, no-contact
ages, and the prequalification gap in words."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from dashboard.filters.view import View
from dashboard.ui.charts import (
    BH_RESPONSE_BUCKET_COLORS,
    FOLLOW_UP_SCALE,
    NO_CONTACT_AGE_COLORS,
    RESPONSE_BUCKET_COLORS,
)
from dashboard.ui.detail_table import Col, metric_col
from dashboard.ui.format import format_value, suppressed_text
from dashboard.ui.part_charts import heat_map, short_label, stacked_bar
from metrics.detail_response import BUSINESS_HOURS_BUCKETS, RESPONSE_BUCKETS
from metrics.registry import metric

BUCKET_LABELS = {b.name: b.label for b in RESPONSE_BUCKETS}
BH_BUCKET_LABELS = {b.name: b.label for b in BUSINESS_HOURS_BUCKETS}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How a lead with each contact-data status is named in a sentence.
STATUS_WORDS = {
    "phone_status": {
        "valid": "a valid phone number",
        "missing": "no phone number",
        "placeholder": "a placeholder phone number",
        "invalid": "an invalid phone number",
    },
    "email_status": {
        "valid": "a valid e-mail address",
        "missing": "no e-mail address",
        "suspicious": "a suspicious e-mail address",
        "invalid": "an invalid e-mail address",
    },
}
_REFERENCE = {"phone_status": "a valid one", "email_status": "a valid one"}


def bucket_share_bar(
    buckets: pl.DataFrame, dim: str, view: View, *, title: str, business_hours: bool = False
) -> go.Figure:
    """Stacked 100 % bars of the response-time buckets per group of ``dim``, biggest group first:
    clock time, or with ``business_hours`` the buckets in the dealer's opening hours."""
    order = (
        buckets.group_by(dim, "suppressed")
        .agg(pl.col("count").sum())
        .sort(["suppressed", "count"], descending=[False, True], nulls_last=True)
    )
    labels = {v: view.label(dim, v) for v in order[dim].to_list()}
    return stacked_bar(
        buckets,
        category=dim,
        part="bucket",
        value="share",
        labels=labels,
        colors=BH_RESPONSE_BUCKET_COLORS if business_hours else RESPONSE_BUCKET_COLORS,
        part_labels=BH_BUCKET_LABELS if business_hours else BUCKET_LABELS,
        value_format="percent",
        value_title="Share of the group's leads (%)",
        category_title=title,
        min_group_size=view.min_group_size,
        hover_count="count",
    )


def bucket_columns(buckets: pl.DataFrame, dim: str) -> pl.DataFrame:
    """One row per group of ``dim`` with a share column per bucket (``share_<bucket>``), clock-time
    or business-hours buckets alike, in the buckets' order."""
    wide = buckets.pivot(on="bucket", index=dim, values="share")
    order = [*BH_BUCKET_LABELS, *BUCKET_LABELS]
    shares = (pl.col(b).alias(f"share_{b}") for b in dict.fromkeys(order) if b in wide.columns)
    return wide.select(dim, *shares)


def arrival_figure(cells: pl.DataFrame, min_group_size: int) -> go.Figure:
    """Weekday x hour of arrival; colour = follow-up rate, hover = leads and rate."""
    rate = metric("follow_up_rate")
    z: list[list[float | None]] = [[None] * 24 for _ in WEEKDAYS]
    hover = [[""] * 24 for _ in WEEKDAYS]
    for row in cells.iter_rows(named=True):
        d, h = int(row["weekday"]) - 1, int(row["hour"])
        when = f"{WEEKDAYS[d]} {h:02d}:00–{h:02d}:59"
        if row["suppressed"]:
            hover[d][h] = f"{when}<br>{suppressed_text(min_group_size)}"
            continue
        z[d][h] = row["follow_up_rate"]
        hover[d][h] = (
            f"{when}<br>Leads: {format_value(row['leads'], 'count')}"
            f"<br>{rate.label}: {format_value(row['follow_up_rate'], 'percent')}"
        )
    return heat_map(
        z,
        x=[f"{h:02d}" for h in range(24)],
        y=list(WEEKDAYS),
        hover=hover,
        colorscale=FOLLOW_UP_SCALE,
        value_title=f"{rate.label} (%)",
        x_title="Hour the lead arrived (dealer's local time)",
        y_title="Weekday",
        zmin=0.0,
        zmax=1.0,
    )


def no_contact_figure(ages: pl.DataFrame, dealers: list[str], view: View) -> go.Figure:
    """Never-contacted leads per dealer, stacked by how old they are."""
    names = dict(ages.select("dealer_id", "dealer_name").unique("dealer_id").iter_rows())
    return stacked_bar(
        ages,
        category="dealer_id",
        part="age_bucket",
        value="no_contact",
        labels={d: names.get(d) or d for d in dealers},
        colors=NO_CONTACT_AGE_COLORS,
        value_format="count",
        value_title="Leads never contacted, by age at the last full hour (count)",
        category_title="Dealer",
        min_group_size=view.min_group_size,
    )


def no_contact_targets(ages: pl.DataFrame) -> dict[str, dict[str, str | None]]:
    """The bar names of ``no_contact_figure`` (dealer names as the warehouse has them) -> the dealer."""
    rows = ages.select("dealer_id", "dealer_name").unique("dealer_id").iter_rows()
    return {short_label(str(name or dealer)): {"dealer_id": dealer} for dealer, name in rows}


def gap_sentence(kind: str, status: str, points: float | None, reference_rate: float | None) -> str | None:
    """'Leads with a placeholder phone number were followed up 21 points less often than leads with
    a valid one.' None for the reference status itself or without numbers."""
    words = STATUS_WORDS[kind].get(status)
    if status == "valid" or words is None or points is None or reference_rate is None:
        return None
    size = abs(points)
    if size < 0.5:
        how = "about as often as"
    else:
        how = (
            f"{size:.0f} point{'s' if round(size) != 1 else ''} {'less' if points < 0 else 'more'} often than"
        )
    return f"Leads with {words} were followed up {how} leads with {_REFERENCE[kind]}."


def gap_sentences(frame: pl.DataFrame, kind: str) -> list[str]:
    """The sentence of each non-reference status of ``follow_up_by_<kind>``, biggest gap first."""
    valid = frame.filter((pl.col(kind) == "valid") & ~pl.col("suppressed"))
    reference = valid["follow_up_rate"][0] if valid.height else None
    rows = frame.filter(~pl.col("suppressed") & pl.col("points_vs_valid").is_not_null())
    rows = rows.sort(pl.col("points_vs_valid").abs(), descending=True)
    out = [gap_sentence(kind, r[kind], r["points_vs_valid"], reference) for r in rows.iter_rows(named=True)]
    return [s for s in out if s]


def status_comparison_note(phone: pl.DataFrame, email: pl.DataFrame, min_group_size: int) -> str:
    """Why there is no sentence comparing contact-data statuses, saying what is really the case.

    All leads with one status each (nothing to compare) reads differently from statuses that
    exist but have fewer than K leads each (too small to compare).
    """
    statuses = {
        "phone number": phone["phone_status"].drop_nulls().unique().to_list(),  # a row per status with leads
        "e-mail address": email["email_status"].drop_nulls().unique().to_list(),
    }
    if all(len(found) <= 1 for found in statuses.values()):
        same = [f"{kind} {found[0]}" for kind, found in statuses.items() if found]
        return (
            "All leads have the same contact-data status ("
            + " and ".join(same or ["no status"])
            + "), so there is nothing to compare."
        )
    return f"Not enough leads per contact-data status to compare (fewer than {min_group_size} each)."


def dealer_speed_columns(table: pl.DataFrame, metric_names: Sequence[str]) -> tuple[dict[str, Col], dict[str, Col]]:
    """The columns of Follow-up's dealer table, shown and exported: the dealer (pinned), ``metric_names``,
    the share of leads first contacted in each business-hours bucket and 'Never'; the export adds the
    clock-time split. Only the columns ``table`` has."""
    share_help = "Share of the dealer's leads whose first qualifying contact came {}."
    columns = {
        "dealer": Col("Dealer", pinned=True),
        **{name: metric_col(name) for name in metric_names},
        **{
            f"share_{b}": Col(label, share_help.format(f"{label.lower()}, in opening hours"), "percent")
            for b, label in BH_BUCKET_LABELS.items()
        },
    }
    columns["share_never"] = Col("Never", "Share of the dealer's leads with no qualifying contact.", "percent")
    columns = {c: col for c, col in columns.items() if c in table.columns}
    # The clock-time split is in the download, next to the business-hours one.
    exported = columns | {
        f"share_{b}": Col(f"{label} (clock)", share_help.format(f"{label.lower()}, clock"), "percent")
        for b, label in BUCKET_LABELS.items()
        if f"share_{b}" in table.columns and b != "never"
    }
    return columns, exported


def dealer_speed_table(dealers: pl.DataFrame, bh_buckets: pl.DataFrame, clock_buckets: pl.DataFrame) -> pl.DataFrame:
    """Follow-up's dealer table: the dealers' metrics with the business-hours and clock-time bucket
    shares (clock 'never' is business hours' 'never'), biggest dealers first, suppressed last."""
    bh_shares = bucket_columns(bh_buckets, "dealer_id")
    clock_shares = bucket_columns(clock_buckets, "dealer_id").drop("share_never", strict=False)
    return (
        dealers.join(bh_shares, on="dealer_id", how="left")
        .join(clock_shares, on="dealer_id", how="left")
        .sort(["suppressed", "leads"], descending=[False, True], nulls_last=True)
    )
