"""Response-time buckets, the funnel, the prequalification gap and follow-up by contact-data quality.

Pure Polars over the grouped counts the loaders fetch (``loaders/queries/detail_response.py``):
each function takes a frame of counts per group and returns the table a page shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from metrics.compute import rate
from metrics.derived import with_derived_metrics
from metrics.result_codes import BEST_OUTCOMES
from metrics.suppression import SUPPRESSED, suppress_small_groups


@dataclass(frozen=True)
class ResponseBucket:
    """Leads whose first qualifying contact came after ``above`` and at most ``up_to`` minutes.

    ``None`` bounds are open; ``never`` marks the bucket of leads with no qualifying contact.
    """

    name: str
    label: str
    above: float | None
    up_to: float | None
    never: bool = False


RESPONSE_BUCKETS: tuple[ResponseBucket, ...] = (
    ResponseBucket("within_15_min", "Within 15 min", None, 15),
    ResponseBucket("from_15_to_60_min", "15-60 min", 15, 60),
    ResponseBucket("from_1_to_4_h", "1-4 h", 60, 240),
    ResponseBucket("from_4_to_24_h", "4-24 h", 240, 1440),
    ResponseBucket("over_24_h", "Over 24 h", 1440, None),
    ResponseBucket("never", "Never", None, None, never=True),
)

# The same split counted in the dealer's opening hours (first_response_bh_min, docs/metrics.md
# "Business hours"): a Saturday-evening lead called at 08:05 on Monday is within 15 minutes here.
BUSINESS_HOURS_BUCKETS: tuple[ResponseBucket, ...] = (
    ResponseBucket("within_15_bh_min", "Within 15 business min", None, 15),
    ResponseBucket("from_15_to_60_bh_min", "15-60 business min", 15, 60),
    ResponseBucket("from_60_to_240_bh_min", "1-4 business h", 60, 240),
    ResponseBucket("over_240_bh_min", "Over 4 business h", 240, None),
    ResponseBucket("never", "Never", None, None, never=True),
)

# (column of the counts frame, label); "leads" is every lead of the group.
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("leads", "Leads"),
    ("contacted", "Attempted (contacted)"),
    ("reached", "Reached"),
    ("appointments", "Appointments"),
    ("test_drives", "Test drives"),
    ("quotes", "Quotes"),
    ("sold", "Sold"),
)

# The reference status that follow-up by contact-data quality is compared against.
REFERENCE_STATUS = "valid"


def _long_distribution(
    counts: pl.DataFrame,
    keys: Sequence[str],
    parts: Sequence[tuple[str, str]],
    part_column: str,
    min_group_size: int,
) -> pl.DataFrame:
    """One row per group and part: count and share of the group's leads, suppressed by group size."""
    order = pl.DataFrame(
        {part_column: [p for p, _ in parts], "label": [lbl for _, lbl in parts], "_order": range(len(parts))},
        schema={part_column: pl.String, "label": pl.String, "_order": pl.Int64},
    )
    frame = counts.rename({"leads": "_group_leads"}).with_columns(pl.col("_group_leads").alias("leads"))
    long = frame.unpivot(
        index=[*keys, "_group_leads"],
        on=[p for p, _ in parts],
        variable_name=part_column,
        value_name="count",
    )
    long = (
        long.join(order, on=part_column, how="left")
        .with_columns(pl.col("count").cast(pl.Int64), rate("count", "_group_leads").alias("share"))
        .sort([*keys, "_order"], nulls_last=False)
    )
    long = suppress_small_groups(
        long,
        lead_count="_group_leads",
        value_columns=["count", "share"],
        min_group_size=min_group_size,
        group_by=keys,
    )
    return long.select(*keys, part_column, "label", "count", "share", SUPPRESSED)


def response_buckets_table(
    counts: pl.DataFrame,
    keys: Sequence[str],
    min_group_size: int,
    buckets: Sequence[ResponseBucket] = RESPONSE_BUCKETS,
) -> pl.DataFrame:
    """Leads per response-time bucket and group, with their share of the group's leads.

    ``counts`` has the keys, ``leads`` and one count column per bucket of ``buckets``
    (RESPONSE_BUCKETS in clock time, or BUSINESS_HOURS_BUCKETS).
    """
    parts = [(b.name, b.label) for b in buckets]
    return _long_distribution(counts, keys, parts, "bucket", min_group_size)


def funnel_table(counts: pl.DataFrame, keys: Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Leads reaching each funnel stage per group, with their share of the group's leads.

    ``counts`` has the keys and one column per stage of FUNNEL_STAGES. Stages are not
    nested in the data (a sale may have no recorded appointment), so counts need not fall.
    """
    return _long_distribution(counts, keys, FUNNEL_STAGES, "stage", min_group_size)


REACH_STAGES = FUNNEL_STAGES[:4]  # leads, attempted, reached, appointments: counted by every metrics table


def reach_funnel_table(totals: Mapping[str, Any], min_group_size: int) -> pl.DataFrame:
    """``funnel_table``'s rows of the ``REACH_STAGES``, from the counts of a metrics table's
    ungrouped row (leads, contacted, reached, appointments: the same definitions as the funnel's
    counts), so a page that shows the tiles does not count them again."""
    counts = pl.DataFrame(
        {stage: [totals[stage]] for stage, _ in REACH_STAGES}, schema={s: pl.Int64 for s, _ in REACH_STAGES}
    )
    return _long_distribution(counts, (), REACH_STAGES, "stage", min_group_size)


def best_outcome_table(counts: pl.DataFrame, keys: Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Every lead of a group counted once under its best result-code outcome, with its share.

    ``counts`` has the keys, ``leads`` and one column per outcome of
    metrics.result_codes.BEST_OUTCOMES (best first: appointment, reached, not_reached,
    invalid_contact, other, unknown, uncoded, not_contacted); the counts add up to ``leads``.
    Columns: keys, outcome, label, count, share (of the group's leads), suppressed (on the group).
    """
    parts = [(o.name, o.label) for o in BEST_OUTCOMES]
    return _long_distribution(counts, keys, parts, "outcome", min_group_size)


def prequalification_gap_table(
    counts: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Follow-up rate of leads with complete contact data minus that of the others, in points.

    ``counts`` has the keys, ``leads``, ``contacted``, ``complete_leads`` and
    ``complete_contacted``; complete means phone_status and email_status both 'valid'.
    """
    frame = counts.with_columns(
        (pl.col("leads") - pl.col("complete_leads")).alias("incomplete_leads"),
        (pl.col("contacted") - pl.col("complete_contacted")).alias("_incomplete_contacted"),
    ).with_columns(
        rate("complete_contacted", "complete_leads").alias("complete_follow_up_rate"),
        rate("_incomplete_contacted", "incomplete_leads").alias("incomplete_follow_up_rate"),
    )
    frame = frame.with_columns(
        ((pl.col("complete_follow_up_rate") - pl.col("incomplete_follow_up_rate")) * 100).alias("gap_points")
    )
    numbers = [
        "complete_leads",
        "complete_follow_up_rate",
        "incomplete_leads",
        "incomplete_follow_up_rate",
        "gap_points",
    ]
    frame = suppress_small_groups(
        frame, lead_count="leads", value_columns=numbers, min_group_size=min_group_size, group_by=keys
    )
    return frame.sort(list(keys), nulls_last=False).select(*keys, *numbers, SUPPRESSED)


def follow_up_by_status_table(
    counts: pl.DataFrame,
    keys: Sequence[str],
    status_column: str,
    status_order: Sequence[str],
    min_group_size: int,
) -> pl.DataFrame:
    """Leads and follow-up rate per value of ``status_column``, and points against 'valid'.

    Rows about fewer than K leads are suppressed before the comparison, so a difference
    is NULL whenever either side of it is. When ``counts`` has ``reached``, the table ends with
    ``reached_of_contacted_rate`` (reached / contacted).
    """
    frame = counts.with_columns(rate("contacted", "leads").alias("follow_up_rate"))
    reach = ["reached_of_contacted_rate"] if "reached" in counts.columns else []
    if reach:  # are leads with this contact data reached less often when they are called?
        frame = with_derived_metrics(frame).drop("appointment_rate", "cost_per_reached_lead", strict=False)
    frame = suppress_small_groups(
        frame,
        lead_count="leads",
        value_columns=["leads", "follow_up_rate", *reach],
        min_group_size=min_group_size,
        group_by=[*keys, status_column],  # the statuses partition the period's leads: complement them
    )
    reference = frame.filter(pl.col(status_column) == REFERENCE_STATUS).select(
        *keys, pl.col("follow_up_rate").alias("_reference_rate")
    )
    if keys:
        frame = frame.join(reference, on=list(keys), how="left", nulls_equal=True)
    else:
        frame = frame.with_columns(
            pl.lit(reference["_reference_rate"][0] if reference.height else None, dtype=pl.Float64).alias(
                "_reference_rate"
            )
        )
    order = {status: i for i, status in enumerate(status_order)}
    frame = frame.with_columns(
        ((pl.col("follow_up_rate") - pl.col("_reference_rate")) * 100).alias("points_vs_valid"),
        pl.col(status_column)
        .replace_strict(order, default=len(order), return_dtype=pl.Int64)
        .alias("_order"),
    )
    return frame.sort([*keys, "_order"], nulls_last=False).select(
        *keys, status_column, "leads", "follow_up_rate", "points_vs_valid", *reach, SUPPRESSED
    )
