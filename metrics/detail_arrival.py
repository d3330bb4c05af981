"""The arrival heat map: leads and follow-up rate by weekday and hour of arrival.

Pure Polars over the counts of ``loaders/queries/detail_arrival.py``. Each cell is its own
population: a cell with fewer than K leads (an empty one included) is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.compute import rate
from metrics.suppression import SUPPRESSED, suppress_small_groups

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS: tuple[int, ...] = tuple(range(24))


def arrival_heat_map_table(counts: pl.DataFrame, keys: Sequence[str], min_group_size: int) -> pl.DataFrame:
    """Every weekday x hour cell of every group: leads, follow_up_rate, suppressed.

    ``counts``: keys, ``weekday`` (1 = Monday), ``hour`` (0-23), ``leads``, ``contacted``.
    Cells without leads are filled with 0 leads so a page can draw the full grid.
    """
    grid = pl.DataFrame(
        {
            "weekday": [day for day in range(1, 8) for _ in HOURS],
            "hour": [hour for _ in WEEKDAYS for hour in HOURS],
        },
        schema={"weekday": pl.Int64, "hour": pl.Int64},
    )
    groups = counts.select(list(keys)).unique(maintain_order=True) if keys else pl.DataFrame()
    cells = groups.join(grid, how="cross") if keys else grid
    frame = (
        cells.join(counts, on=[*keys, "weekday", "hour"], how="left", nulls_equal=True)
        .with_columns(pl.col("leads").fill_null(0), pl.col("contacted").fill_null(0))
        .with_columns(
            rate("contacted", "leads").alias("follow_up_rate"),
            pl.col("weekday")
            .replace_strict(dict(enumerate(WEEKDAYS, start=1)), return_dtype=pl.String)
            .alias("weekday_name"),
        )
        .sort([*keys, "weekday", "hour"], nulls_last=False)
    )
    frame = suppress_small_groups(
        frame,
        lead_count="leads",
        value_columns=["leads", "follow_up_rate"],
        min_group_size=min_group_size,
        group_by=[*keys, "weekday", "hour"],
    )
    return frame.select(*keys, "weekday", "weekday_name", "hour", "leads", "follow_up_rate", SUPPRESSED)
