"""Privacy: small groups are suppressed here, and only here.

A group with fewer than K leads (setting ``min_group_size``) could point at a single
buyer or salesperson, so every number of it is blanked (NULL) and its ``suppressed``
column is true. Every page, chart and export goes through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.registry import METRIC_COLUMNS

SUPPRESSED = "suppressed"


def suppress_small_groups(
    frame: pl.DataFrame, *, lead_count: str, value_columns: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """``frame`` with ``value_columns`` set to NULL where ``lead_count`` < ``min_group_size``.

    Adds a boolean ``suppressed`` column; where the frame already has one, a row stays
    suppressed if it already was (so a frame can be suppressed on several populations in
    turn). ``lead_count`` is the number of leads behind the row (for a distribution: the
    group's leads, not the bucket's); a NULL count counts as 0. ``lead_count`` may be one
    of ``value_columns``: it is judged before it is blanked.

    >>> f = pl.DataFrame({"g": ["a", "b"], "leads": [2, 9], "sold": [1, 3]})
    >>> suppress_small_groups(f, lead_count="leads", value_columns=["leads", "sold"], min_group_size=5).rows()
    [('a', None, None, True), ('b', 9, 3, False)]
    """
    if min_group_size < 0:
        raise ValueError(f"min_group_size must be >= 0, got {min_group_size}")
    missing = [c for c in (lead_count, *value_columns) if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame (it has {frame.columns})")
    small = pl.col(lead_count).fill_null(0) < min_group_size
    if SUPPRESSED in frame.columns:
        small = small | pl.col(SUPPRESSED).fill_null(False)
    # Judge every row first, then blank: lead_count itself may be among the value columns.
    flagged = frame.with_columns(small.alias(SUPPRESSED))
    hidden = pl.col(SUPPRESSED)
    return flagged.with_columns(
        *(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in value_columns)
    )


def suppress(frame: pl.DataFrame, group_by: Sequence[str], min_group_size: int) -> pl.DataFrame:
    """The metrics table with groups of fewer than ``min_group_size`` leads blanked.

    Keeps the grouping columns (``group_by``) so the viewer sees which group was hidden;
    every one of the 22 metric columns, ``leads`` included, becomes NULL there.
    """
    overlap = set(group_by) & set(METRIC_COLUMNS)
    if overlap:
        raise ValueError(f"grouping columns {sorted(overlap)} clash with metric columns")
    return suppress_small_groups(
        frame, lead_count="leads", value_columns=METRIC_COLUMNS, min_group_size=min_group_size
    )
