"""The close-reason distribution of lost leads, vague reasons by dealer, attempts before write-off.

Pure Polars over counts per close-reason code (``loaders/queries/detail_close_reasons.py``) and the
taxonomy in force. Codes that tell nothing stay visible: NULL and blank codes form one row
and each code missing from the taxonomy its own, all under the category ``unspecified``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.compute import rate
from metrics.suppression import SUPPRESSED, suppress_small_groups
from metrics.taxonomy import UNSPECIFIED_CATEGORY

# The contract's categories (loaders.contract.tables.CLOSE_REASON_CATEGORIES, kept equal by a test)
# in the order pages list them, then the catch-all for codes that say nothing.
CATEGORY_ORDER: tuple[str, ...] = (
    "pollution",
    "not_reached",
    "no_interest",
    "conversion",
    "other",
    UNSPECIFIED_CATEGORY,
)
NO_CODE_LABEL = "No close reason given"
NO_CODE_ACTION = "Make the close reason mandatory in the CRM."
UNKNOWN_CODE_ACTION = "Add the code to the close_reasons table, or stop using it in the CRM."


@dataclass(frozen=True)
class AttemptBucket:
    """Lost leads with between ``least`` and ``most`` qualifying contacts before closing."""

    name: str
    label: str
    least: int
    most: int | None


ATTEMPT_BUCKETS: tuple[AttemptBucket, ...] = (
    AttemptBucket("attempts_0", "0", 0, 0),
    AttemptBucket("attempts_1", "1", 1, 1),
    AttemptBucket("attempts_2", "2", 2, 2),
    AttemptBucket("attempts_3", "3", 3, 3),
    AttemptBucket("attempts_4_plus", "4+", 4, None),
)


def classify_codes(cells: pl.DataFrame, taxonomy: pl.DataFrame) -> pl.DataFrame:
    """``cells`` with category, label, is_vague and next_action of each ``close_reason_code``.

    NULL and blank codes become one NULL code; codes not in the taxonomy keep their code.
    Both fall under ``unspecified`` and count as vague (as in metrics.compute.vague_lost).
    """
    known = taxonomy.select(
        pl.col("code").alias("close_reason_code"),
        pl.col("category").alias("_category"),
        pl.col("label").alias("_label"),
        pl.col("is_vague").fill_null(False).alias("_is_vague"),
        pl.col("next_action").alias("_next_action"),
    ).unique("close_reason_code", keep="first")
    code = pl.col("close_reason_code")
    blank = code.is_null() | (code.str.strip_chars() == "")
    unknown = pl.col("_category").is_null()
    return (
        cells.with_columns(pl.when(blank).then(None).otherwise(code).alias("close_reason_code"))
        .join(known, on="close_reason_code", how="left")
        .with_columns(
            pl.when(unknown)
            .then(pl.lit(UNSPECIFIED_CATEGORY))
            .otherwise(pl.col("_category"))
            .alias("category"),
            pl.when(blank)
            .then(pl.lit(NO_CODE_LABEL))
            .when(unknown)
            .then(pl.format("Not in the taxonomy: {}", code))
            .otherwise(pl.col("_label"))
            .alias("label"),
            pl.when(unknown).then(True).otherwise(pl.col("_is_vague")).alias("is_vague"),
            pl.when(blank)
            .then(pl.lit(NO_CODE_ACTION))
            .when(unknown)
            .then(pl.lit(UNKNOWN_CODE_ACTION))
            .otherwise(pl.col("_next_action"))
            .alias("next_action"),
        )
        .drop("_category", "_label", "_is_vague", "_next_action")
    )


def _with_group_totals(cells: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    totals = [pl.col("leads").sum(), pl.col("lost").sum()]
    if keys:
        return cells.with_columns(
            totals[0].over(list(keys)).alias("_group_leads"), totals[1].over(list(keys)).alias("_group_lost")
        )
    return cells.with_columns(totals[0].alias("_group_leads"), totals[1].alias("_group_lost"))


def close_reason_distribution_table(
    cells: pl.DataFrame, taxonomy: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Lost leads per group, category and code, with their share of the group's lost leads.

    ``cells``: keys, ``close_reason_code``, ``leads``, ``lost`` (fetch_lost_code_cells).
    Suppressed when the group has fewer than K leads.
    """
    frame = classify_codes(_with_group_totals(cells, keys), taxonomy).filter(pl.col("lost") > 0)
    attributes = ["category", "close_reason_code", "label", "is_vague", "next_action"]
    frame = frame.group_by([*keys, *attributes, "_group_leads", "_group_lost"], maintain_order=True).agg(
        pl.col("lost").sum().cast(pl.Int64).alias("count")
    )
    order = {category: i for i, category in enumerate(CATEGORY_ORDER)}
    frame = frame.with_columns(
        rate("count", "_group_lost").alias("share"),
        pl.col("category").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_order"),
    ).sort(
        [*keys, "_order", "count", "close_reason_code"],
        descending=[*(False for _ in keys), False, True, False],
        nulls_last=False,
    )
    frame = suppress_small_groups(
        frame,
        lead_count="_group_leads",
        value_columns=["count", "share"],
        min_group_size=min_group_size,
        group_by=keys,
    )
    return frame.select(*keys, *attributes, "count", "share", SUPPRESSED)


def vague_reasons_by_dealer_table(
    cells: pl.DataFrame,
    taxonomy: pl.DataFrame,
    dealers: pl.DataFrame,
    keys: Sequence[str],
    min_group_size: int,
) -> pl.DataFrame:
    """Per dealer (within any grouping): leads, lost, vague_lost and vague_share of lost leads.

    ``cells`` must have ``dealer_id`` among ``keys``; a dealer with fewer than K leads is
    suppressed.
    """
    frame = classify_codes(cells, taxonomy)
    frame = frame.group_by(list(keys)).agg(
        pl.col("leads").sum().cast(pl.Int64),
        pl.col("lost").sum().cast(pl.Int64),
        pl.col("lost").filter(pl.col("is_vague")).sum().cast(pl.Int64).alias("vague_lost"),
    )
    frame = with_dealer_names(frame, dealers).with_columns(rate("vague_lost", "lost").alias("vague_share"))
    frame = suppress_small_groups(
        frame,
        lead_count="leads",
        value_columns=["leads", "lost", "vague_lost", "vague_share"],
        min_group_size=min_group_size,
        group_by=keys,
    )
    return frame.sort(list(keys), nulls_last=False).select(
        *keys, "dealer_name", "leads", "lost", "vague_lost", "vague_share", SUPPRESSED
    )


def attempts_before_write_off_table(
    counts: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Lost leads per group by qualifying contacts before closing (0, 1, 2, 3, 4+), with share of lost."""
    labels = pl.DataFrame(
        {
            "_bucket": [b.name for b in ATTEMPT_BUCKETS],
            "attempts": [b.label for b in ATTEMPT_BUCKETS],
            "_order": list(range(len(ATTEMPT_BUCKETS))),
        }
    )
    long = (
        counts.unpivot(
            index=[*keys, "leads", "lost"],
            on=[b.name for b in ATTEMPT_BUCKETS],
            variable_name="_bucket",
            value_name="count",
        )
        .join(labels, on="_bucket", how="left")
        .with_columns(pl.col("count").cast(pl.Int64), rate("count", "lost").alias("share"))
        .sort([*keys, "_order"], nulls_last=False)
    )
    long = suppress_small_groups(
        long, lead_count="leads", value_columns=["count", "share"], min_group_size=min_group_size, group_by=keys
    )
    return long.select(*keys, "attempts", "count", "share", SUPPRESSED)


def with_dealer_names(frame: pl.DataFrame, dealers: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (with ``dealer_id``) with ``dealer_name``; dealers missing from the table get NULL."""
    names = dealers.select("dealer_id", "dealer_name").unique("dealer_id", keep="first")
    return frame.join(names, on="dealer_id", how="left", nulls_equal=True)
