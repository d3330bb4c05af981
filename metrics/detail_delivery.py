"""Lead delivery: leads sent vs delivered by source, dealer and week, and runs of undelivered weeks.

Pure Polars over the counts of ``loaders/queries/detail_delivery.py``. Each cell and each run is
its own population: fewer than K leads sent behind it and its numbers are suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.detail_close_reasons import with_dealer_names
from metrics.suppression import SUPPRESSED, suppress_small_groups

CELL_NUMBERS = ("sent", "delivered", "undelivered")


def _sent_delivered(counts: pl.DataFrame) -> pl.DataFrame:
    return counts.rename({"leads": "sent"}).with_columns(
        (pl.col("sent") - pl.col("delivered")).alias("undelivered")
    )


def delivery_table(
    counts: pl.DataFrame, dealers: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Per group, source, dealer and week: sent, delivered, undelivered (suppressed when sent < K).

    ``keys`` are the grouping keys including ``source``, ``dealer_id`` and ``week``.
    """
    frame = with_dealer_names(_sent_delivered(counts), dealers).sort(list(keys), nulls_last=False)
    frame = suppress_small_groups(
        frame,
        lead_count="sent",
        value_columns=list(CELL_NUMBERS),
        min_group_size=min_group_size,
        group_by=keys,
    )
    others = [k for k in keys if k not in ("source", "dealer_id", "week")]
    return frame.select(*others, "source", "dealer_id", "dealer_name", "week", *CELL_NUMBERS, SUPPRESSED)


def undelivered_runs_table(
    counts: pl.DataFrame, dealers: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Runs of weeks in which a source's leads to a dealer went undelivered.

    A run is a stretch of weeks with undelivered leads; it ends at a week in which leads
    were sent and all of them arrived (a week without leads does not end it). Per run:
    first_week, last_week, weeks (with undelivered leads), sent, undelivered. Runs are
    judged on unsuppressed weekly counts and then suppressed on the leads sent during them.
    """
    series = [k for k in keys if k != "week"]
    frame = _sent_delivered(counts).sort([*series, "week"], nulls_last=False)
    broken = pl.col("undelivered") > 0
    # Each fully delivered week starts a new run id; the broken weeks after it share that id.
    frame = frame.with_columns((~broken).cast(pl.Int64).cum_sum().over(series).alias("_run")).filter(broken)
    runs = frame.group_by([*series, "_run"], maintain_order=True).agg(
        pl.col("week").min().alias("first_week"),
        pl.col("week").max().alias("last_week"),
        pl.len().cast(pl.Int64).alias("weeks"),
        pl.col("sent").sum().cast(pl.Int64),
        pl.col("undelivered").sum().cast(pl.Int64),
    )
    runs = with_dealer_names(runs, dealers).sort([*series, "first_week"], nulls_last=False)
    numbers = ["weeks", "sent", "undelivered"]
    runs = suppress_small_groups(
        runs, lead_count="sent", value_columns=numbers, min_group_size=min_group_size
    )
    others = [k for k in series if k not in ("source", "dealer_id")]
    return runs.select(
        *others, "source", "dealer_id", "dealer_name", "first_week", "last_week", *numbers, SUPPRESSED
    )
