"""Leads waiting now, per dealer and in all: pure Polars, no I/O.

Input: loaders/queries/waiting_now.py (per dealer: leads of the last 7 days, waiting leads and
waiting leads per bucket of business minutes waited). A dealer with fewer than K leads in those
7 days is suppressed (its counts blank), like every group; the totals add up the dealers shown.
"""

from __future__ import annotations

import polars as pl

from metrics.suppression import suppress_small_groups

BUCKET_LABELS = {
    "under_60": "Under 1 business hour",
    "from_60_to_240": "1-4 business hours",
    "from_240_to_480": "4-8 business hours",
    "from_480": "A business day or more",
}
COUNT_COLUMNS = ("leads", "waiting", *BUCKET_LABELS)


def waiting_now_table(counts: pl.DataFrame, min_group_size: int) -> pl.DataFrame:
    """``counts`` with small dealers suppressed, most waiting first (suppressed last)."""
    table = suppress_small_groups(
        counts, lead_count="leads", value_columns=COUNT_COLUMNS, min_group_size=min_group_size
    )
    return table.sort(
        ["suppressed", "waiting", "dealer_id"], descending=[False, True, False], nulls_last=True
    )


def waiting_sentence(table: pl.DataFrame) -> str:
    """ "37 leads are waiting; 12 for a business day or more." over the dealers shown.

    >>> waiting_sentence(pl.DataFrame({"waiting": [30, 7], "from_480": [10, 2], "suppressed": [False, False]}))
    '37 leads are waiting; 12 for a business day or more.'
    """
    shown = table.filter(~pl.col("suppressed"))
    waiting = int(shown["waiting"].sum() or 0)
    long = int(shown["from_480"].sum() or 0)
    if waiting == 0:
        return "No lead of the last 7 days is waiting for a first contact."
    subject = "1 lead is" if waiting == 1 else f"{waiting:,} leads are"
    return f"{subject} waiting; {long:,} for a business day or more."
