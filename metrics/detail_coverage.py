"""Coverage gaps: no-contact leads by dealer and age, duplicate contacts by dealer, double leads.

Pure Polars over the counts of ``loaders/queries/detail_coverage.py``. Dealer rows are suppressed
on the dealer's leads in L; double-lead rows on the group's leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from metrics.compute import rate
from metrics.detail_close_reasons import with_dealer_names
from metrics.suppression import SUPPRESSED, suppress_small_groups

DOUBLE_LEAD_WINDOW_DAYS = 30


@dataclass(frozen=True)
class AgeBucket:
    """Never-contacted leads aged at least ``least_days`` and less than ``below_days`` at as_of."""

    name: str
    label: str
    least_days: int
    below_days: int | None


# Whole days of age: "1-2 days" is [24 h, 72 h). Younger leads may still be contacted in time.
NO_CONTACT_AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket("age_1_2_days", "1-2 days", 1, 3),
    AgeBucket("age_3_7_days", "3-7 days", 3, 8),
    AgeBucket("age_8_30_days", "8-30 days", 8, 31),
    AgeBucket("age_over_30_days", "Over 30 days", 31, None),
)


def no_contact_by_dealer_age_table(
    counts: pl.DataFrame, dealers: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """One row per dealer (within any grouping) and age bucket: never-contacted leads of that age.

    ``counts``: keys (with ``dealer_id``), ``leads`` and a column per NO_CONTACT_AGE_BUCKETS.
    Every dealer with leads gets all four buckets (0 where none), so gaps read as zeros.
    """
    labels = pl.DataFrame(
        {
            "_bucket": [b.name for b in NO_CONTACT_AGE_BUCKETS],
            "age_bucket": [b.label for b in NO_CONTACT_AGE_BUCKETS],
            "_order": list(range(len(NO_CONTACT_AGE_BUCKETS))),
        }
    )
    long = (
        with_dealer_names(counts, dealers)
        .unpivot(
            index=[*keys, "dealer_name", "leads"],
            on=[b.name for b in NO_CONTACT_AGE_BUCKETS],
            variable_name="_bucket",
            value_name="no_contact",
        )
        .join(labels, on="_bucket", how="left")
        .with_columns(pl.col("no_contact").cast(pl.Int64))
        .sort([*keys, "_order"], nulls_last=False)
    )
    long = suppress_small_groups(
        long,
        lead_count="leads",
        value_columns=["leads", "no_contact"],
        min_group_size=min_group_size,
        group_by=keys,
    )
    return long.select(*keys, "dealer_name", "age_bucket", "leads", "no_contact", SUPPRESSED)


def duplicate_contact_by_dealer_table(
    counts: pl.DataFrame, dealers: pl.DataFrame, keys: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """Per dealer: leads, contacted, duplicate_contact and duplicate_contact_rate (of contacted)."""
    frame = with_dealer_names(counts, dealers).with_columns(
        rate("duplicate_contact", "contacted").alias("duplicate_contact_rate")
    )
    numbers = ["leads", "contacted", "duplicate_contact", "duplicate_contact_rate"]
    frame = suppress_small_groups(
        frame, lead_count="leads", value_columns=numbers, min_group_size=min_group_size, group_by=keys
    )
    return frame.sort(list(keys), nulls_last=False).select(*keys, "dealer_name", *numbers, SUPPRESSED)


def double_leads_table(counts: pl.DataFrame, keys: Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Per group: leads, double_leads and double_lead_rate (of leads)."""
    frame = counts.with_columns(rate("double_leads", "leads").alias("double_lead_rate"))
    numbers = ["leads", "double_leads", "double_lead_rate"]
    frame = suppress_small_groups(
        frame, lead_count="leads", value_columns=numbers, min_group_size=min_group_size, group_by=keys
    )
    return frame.sort(list(keys), nulls_last=False).select(*keys, *numbers, SUPPRESSED)
