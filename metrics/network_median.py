"""The network median a dealer principal sees next to their numbers: pure Polars, no I/O.

Input: one anonymous row of counts per other dealer of the same brands
(loaders/queries/network_median.py). Each dealer's metrics are computed exactly as everywhere
else (metrics/compute.py); a dealer contributes when it has at least K leads, and the
median is shown only when at least K dealers contribute, so that it never is, or
nearly is, one dealer's own figure.
"""

from __future__ import annotations

import polars as pl

from metrics.compute import compute_metrics

# Metrics compared with the network: about how dealers work leads, not about spend.
PEER_METRICS: tuple[str, ...] = (
    "follow_up_rate",
    "median_first_response_min",
    "responded_1h_rate",
    "conversion_rate",
)
CONTRIBUTING = "dealers"  # how many dealers the median is taken over
_PEER = "_peer"


def network_median(
    peer_counts: pl.DataFrame, min_group_size: int, metrics: tuple[str, ...] = PEER_METRICS
) -> pl.DataFrame:
    """One row: ``dealers`` (how many contribute), then the median of each of ``metrics``.

    The medians are NULL when fewer than ``min_group_size`` dealers contribute; a dealer
    contributes when it has at least ``min_group_size`` leads. ``peer_counts`` has the
    count columns of loaders.queries.aggregates.COUNT_SCHEMA, one row per dealer, no dealer key.
    """
    indexed = peer_counts.with_row_index(_PEER).with_columns(pl.col(_PEER).cast(pl.String))
    empty = {_PEER: pl.String()}
    vague = pl.DataFrame(schema=empty | {"vague_lost": pl.Int64()})
    spend = pl.DataFrame(schema=empty | {"spend": pl.Float64()})
    per_dealer = compute_metrics(indexed, vague, spend, (_PEER,))
    contributing = per_dealer.filter(pl.col("leads") >= min_group_size)
    n = contributing.height
    enough = n >= min_group_size
    return pl.DataFrame(
        {CONTRIBUTING: [n], **{m: [contributing[m].median() if enough else None] for m in metrics}},
        schema={CONTRIBUTING: pl.Int64(), **dict.fromkeys(metrics, pl.Float64())},
    )
