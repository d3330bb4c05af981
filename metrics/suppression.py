"""Privacy: small groups and small teams are suppressed here, and only here.

A group with fewer than K leads (setting ``min_group_size``) could point at a single
buyer or salesperson, so every number of it is blanked (NULL) and its ``suppressed``
column is true. A group whose qualifying contacts come from fewer than ``min_team_size``
distinct salespeople, or that has fewer than K contacted leads, keeps its coverage and
outcomes but its "how people worked" metrics (registry flag ``people``) are blanked and its
``team_suppressed`` column is true. In a breakdown, complementary suppression
(metrics/complementary.py) then hides enough further groups that no hidden one equals
the total minus the shown ones. Every page, chart and export goes through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.complementary import complement_flags
from metrics.registry import METRIC_COLUMNS, PEOPLE_METRICS

SUPPRESSED = "suppressed"
TEAM_SUPPRESSED = "team_suppressed"
TEAM_SIZE = "salespeople"  # distinct salespeople behind a group: judged, never shown


def suppress_small_groups(
    frame: pl.DataFrame,
    *,
    lead_count: str,
    value_columns: Sequence[str],
    min_group_size: int,
    group_by: Sequence[str] = (),
) -> pl.DataFrame:
    """``frame`` with ``value_columns`` set to NULL where ``lead_count`` < ``min_group_size``.

    Adds a boolean ``suppressed`` column; where the frame already has one, a row stays
    suppressed if it already was (so a frame can be suppressed on several populations in
    turn). ``lead_count`` is the number of leads behind the row (for a distribution: the
    group's leads, not the bucket's); a NULL count counts as 0. ``lead_count`` may be one
    of ``value_columns``: it is judged before it is blanked.

    ``group_by`` names the columns that identify a group of the breakdown (one or several rows
    each, ``lead_count`` the same on a group's rows): then complementary suppression
    (metrics/complementary.py) also hides the groups that would let a hidden one be computed
    as the total minus the rest, per row and column when there are several.

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
    if group_by and not flagged.is_empty():
        keys = list(group_by)
        groups = flagged.group_by(keys, maintain_order=True).agg(
            pl.col(lead_count).first().alias("_group_size"), pl.col(SUPPRESSED).any()
        )
        groups = complement_flags(groups, keys, flag=SUPPRESSED, size="_group_size", min_size=min_group_size)
        flagged = flagged.drop(SUPPRESSED).join(
            groups.select(*keys, SUPPRESSED), on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
    hidden = pl.col(SUPPRESSED)
    return flagged.with_columns(
        *(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in value_columns)
    )


def suppress(
    frame: pl.DataFrame, group_by: Sequence[str], min_group_size: int, min_team_size: int = 1
) -> pl.DataFrame:
    """The metrics table with small groups and small teams blanked, complementary cells included.

    ``frame`` is ``compute_metrics``'s table plus a ``salespeople`` column (distinct non-null
    salespeople behind each group's qualifying contacts; NULL counts as 0), which is judged
    and dropped. Keeps the grouping columns (``group_by``) so the viewer sees which group was
    hidden. Adds ``suppressed`` (every one of the metric columns, ``leads`` included, is
    NULL) and ``team_suppressed`` (the ``people`` metrics are NULL: fewer than
    ``min_team_size`` salespeople or fewer than ``min_group_size`` contacted leads; always
    true where ``suppressed`` is). Without ``salespeople`` every group counts as one salesperson.
    """
    overlap = set(group_by) & {*METRIC_COLUMNS, SUPPRESSED, TEAM_SUPPRESSED, TEAM_SIZE}
    if overlap:
        raise ValueError(f"grouping columns {sorted(overlap)} clash with metric columns")
    if min_group_size < 0 or min_team_size < 0:
        raise ValueError(f"thresholds must be >= 0, got {min_group_size} and {min_team_size}")
    if TEAM_SIZE not in frame.columns:
        frame = frame.with_columns(pl.lit(1, dtype=pl.Int64).alias(TEAM_SIZE))
    small = pl.col("leads").fill_null(0) < min_group_size
    flagged = frame.with_columns(small.alias(SUPPRESSED))
    flagged = complement_flags(flagged, group_by, flag=SUPPRESSED, size="leads", min_size=min_group_size)
    small_team = (
        pl.col(SUPPRESSED)
        | (pl.col(TEAM_SIZE).fill_null(0) < min_team_size)
        | (pl.col("contacted").fill_null(0) < min_group_size)
    )
    flagged = flagged.with_columns(small_team.alias(TEAM_SUPPRESSED))
    flagged = complement_flags(
        flagged,
        group_by,
        flag=TEAM_SUPPRESSED,
        size="contacted",
        min_size=min_group_size,
        team=TEAM_SIZE,
        min_team=min_team_size,
    )
    people = [c for c in PEOPLE_METRICS if c in flagged.columns]
    blanked = flagged.with_columns(
        *(pl.when(pl.col(SUPPRESSED)).then(None).otherwise(pl.col(c)).alias(c) for c in METRIC_COLUMNS)
    ).with_columns(
        *(pl.when(pl.col(TEAM_SUPPRESSED)).then(None).otherwise(pl.col(c)).alias(c) for c in people)
    )
    return blanked.drop(TEAM_SIZE)


def hide_for_small_teams(
    frame: pl.DataFrame, teams: pl.DataFrame, keys: Sequence[str], value_columns: Sequence[str]
) -> pl.DataFrame:
    """A detail table about how people worked (response-time buckets, duplicate contact per dealer)
    with ``value_columns`` blanked for the groups the metrics table marks ``team_suppressed``.

    ``teams`` is the metrics table of the same query grouped by ``keys`` (``suppress``'s output);
    the detail table gets its ``team_suppressed`` column. Without keys the one row of ``teams``
    applies to every row.
    """
    flags = teams.select(*keys, TEAM_SUPPRESSED)
    if keys:
        joined = frame.join(flags, on=list(keys), how="left", nulls_equal=True, maintain_order="left")
    else:
        joined = frame.with_columns(
            pl.lit(bool(flags[TEAM_SUPPRESSED].any()) if flags.height else True).alias(TEAM_SUPPRESSED)
        )
    hidden = pl.col(TEAM_SUPPRESSED).fill_null(True)
    return joined.with_columns(
        hidden.alias(TEAM_SUPPRESSED),
        *(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in value_columns),
    )
