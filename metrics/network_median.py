"""The network median a dealer principal sees next to their numbers: pure Polars, no I/O.

Input: one anonymous row of counts per other dealer of the same brands
(loaders/queries/network_median.py). Each dealer's metrics are computed exactly as everywhere
else (metrics/compute.py); a dealer contributes when it has at least K leads (and, to a
"how people worked" metric, at least K contacted leads), and a median is shown only when at
least ``MIN_OTHER_DEALERS`` (5) dealers, and at least K, contribute to it: among three
dealers the median *is* one unnamed dealer's figure, and a principal who knows the others
roughly could name it. And it is *blended*: with an odd number of dealers the plain median
is exactly one dealer's figure, so the mean of the three middle figures is shown instead
(with an even number, the plain median already is the mean of the two middle ones).
"""

from __future__ import annotations

import polars as pl

from metrics.compute import compute_metrics
from metrics.registry import PEOPLE_METRICS

# Metrics compared with the network: about how dealers work leads, not about spend.
PEER_METRICS: tuple[str, ...] = (
    "follow_up_rate",
    "median_first_response_min",
    "responded_1h_rate",
    "conversion_rate",
)
CONTRIBUTING = "dealers"  # how many dealers the median is taken over
MIN_OTHER_DEALERS = 5  # fewer other dealers, and no median is shown (docs/privacy.md)
_PEER = "_peer"


def blended_median(values: list[float]) -> float:
    """The median, except that for an odd count the mean of the three middle values (so it is
    never one contributor's own figure unless three are equal).

    >>> blended_median([0.1, 0.2, 0.6, 0.7, 0.9]), blended_median([0.2, 0.4, 0.6, 0.8])
    (0.5, 0.5)
    """
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("no values to take a median of")
    middle = ordered[n // 2 - 1 : n // 2 + 2] if n % 2 and n >= 3 else ordered[(n - 1) // 2 : n // 2 + 1]
    return sum(middle) / len(middle)


def network_median(
    peer_counts: pl.DataFrame, min_group_size: int, metrics: tuple[str, ...] = PEER_METRICS
) -> pl.DataFrame:
    """One row: ``dealers`` (how many contribute), then the median of each of ``metrics``.

    A dealer contributes when it has at least ``min_group_size`` leads (to a ``people``
    metric: also at least ``min_group_size`` contacted leads). A median is NULL when fewer
    than ``max(MIN_OTHER_DEALERS, min_group_size)`` dealers contribute to it. ``peer_counts``
    has the count columns of loaders.queries.aggregates.COUNT_SCHEMA, one row per dealer, no dealer key.
    """
    indexed = peer_counts.with_row_index(_PEER).with_columns(pl.col(_PEER).cast(pl.String))
    empty = {_PEER: pl.String()}
    vague = pl.DataFrame(schema=empty | {"vague_lost": pl.Int64()})
    spend = pl.DataFrame(schema=empty | {"spend": pl.Float64()})
    per_dealer = compute_metrics(indexed, vague, spend, (_PEER,))
    contributing = per_dealer.filter(pl.col("leads") >= min_group_size)
    n = contributing.height
    needed = max(MIN_OTHER_DEALERS, min_group_size)

    def median(name: str) -> float | None:
        rows = contributing.filter(pl.col("contacted") >= min_group_size) if name in PEOPLE_METRICS else contributing
        values = rows[name].drop_nulls()
        return blended_median(values.to_list()) if values.len() >= needed else None

    return pl.DataFrame(
        {CONTRIBUTING: [n], **{m: [median(m)] for m in metrics}},
        schema={CONTRIBUTING: pl.Int64(), **dict.fromkeys(metrics, pl.Float64())},
    )
