"""Small-group suppression for the detail tables: rows about fewer than K leads show no numbers.

The main table has its own rule in ``metrics/suppression.py`` (groups of fewer than K leads);
the detail tables apply the same rule to the population each row is computed over: the
group for distributions (buckets, funnel stages, close reasons), the cell itself for
grids (heat-map cells, delivery cells, status rows).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SUPPRESSED = "suppressed"


def suppress_small(
    frame: pl.DataFrame, *, population: str, numbers: Sequence[str], min_group_size: int
) -> pl.DataFrame:
    """``frame`` with ``numbers`` set to NULL and ``suppressed`` true where ``population`` < K.

    ``population`` is the column counting the leads the row's numbers are built from; it
    may be one of ``numbers`` (then it is nulled too). An existing ``suppressed`` column is
    kept true where it already was.

    >>> f = pl.DataFrame({"leads": [2, 9], "rate": [0.5, 0.1]})
    >>> suppress_small(f, population="leads", numbers=["leads", "rate"], min_group_size=5).rows()
    [(None, None, True), (9, 0.1, False)]
    """
    small = pl.col(population).fill_null(0) < min_group_size
    if SUPPRESSED in frame.columns:
        small = small | pl.col(SUPPRESSED)
    return frame.with_columns(small.alias("_small")).with_columns(
        *(pl.when(pl.col("_small")).then(None).otherwise(pl.col(c)).alias(c) for c in numbers),
        pl.col("_small").alias(SUPPRESSED),
    ).drop("_small")


def rate(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """numerator / denominator as a float, NULL when the denominator is 0 or NULL."""
    num = pl.col(numerator) if isinstance(numerator, str) else numerator
    den = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(den > 0).then(num.cast(pl.Float64) / den).otherwise(None)
