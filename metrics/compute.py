"""The 22-column metrics table, computed from per-group counts: pure Polars, no I/O.

Inputs are the frames the loaders return (loaders/queries/aggregates.py, close_reasons.py,
spend.py); the output has the grouping columns, then ``METRIC_COLUMNS`` in order.
Every rate is NULL when its denominator is 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.registry import METRIC_COLUMNS

# Stands in for the grouping key when there is no grouping, so the joins stay the same.
_ALL = "__all_leads__"
SPEND_CAMPAIGN = "spend_campaign_id"  # as named by loaders/queries/spend.py


def rate(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """``numerator / denominator`` as Float64, NULL when the denominator is 0 or NULL."""
    num = pl.col(numerator) if isinstance(numerator, str) else numerator
    den = pl.col(denominator) if isinstance(denominator, str) else denominator
    return pl.when(den.is_null() | (den == 0)).then(None).otherwise(num.cast(pl.Float64) / den)


def vague_lost(lost_by_reason: pl.DataFrame, taxonomy: pl.DataFrame, group_by: Sequence[str]) -> pl.DataFrame:
    """Lost leads per group whose close reason is vague: grouping columns, then ``vague_lost``.

    Vague: the code is NULL, blank (empty after trimming spaces), not a code of the
    taxonomy, or a code the taxonomy flags ``is_vague``.
    """
    flags = taxonomy.select(
        pl.col("code").alias("close_reason_code"), pl.col("is_vague").fill_null(False).alias("_is_vague")
    ).unique("close_reason_code")
    code = pl.col("close_reason_code")
    is_vague = code.is_null() | (code.str.strip_chars() == "") | pl.col("_is_vague").fill_null(True)
    keys = _keys(group_by)
    return (
        _with_all(lost_by_reason, group_by)
        .join(flags, on="close_reason_code", how="left")
        .group_by(keys)
        .agg(pl.col("lost").filter(is_vague).sum().cast(pl.Int64).alias("vague_lost"))
    )


def allocate_spend(
    campaign_spend: pl.DataFrame,
    campaign_leads: pl.DataFrame,
    group_campaign_leads: pl.DataFrame,
    group_by: Sequence[str],
) -> pl.DataFrame:
    """Spend per group: sum over campaigns c of S_c x (leads of c in the group) / N_c.

    ``campaign_spend`` has S_c (``campaign_spend``), ``campaign_leads`` N_c, and
    ``group_campaign_leads`` the group's leads per campaign, all keyed by
    ``spend_campaign_id``. A campaign without spend gives 0; one without leads in the
    period (N_c = 0) is allocated to nobody.
    """
    keys = _keys(group_by)
    shares = (
        _with_all(group_campaign_leads, group_by)
        .join(campaign_leads, on=SPEND_CAMPAIGN, how="inner")
        .join(campaign_spend, on=SPEND_CAMPAIGN, how="left")
        .with_columns(
            (
                pl.col("campaign_spend").fill_null(0.0)
                * pl.col("group_campaign_leads").cast(pl.Float64)
                / pl.col("campaign_leads").cast(pl.Float64)
            ).alias("_share")
        )
    )
    return shares.group_by(keys).agg(pl.col("_share").sum().cast(pl.Float64).alias("spend"))


def compute_metrics(
    counts: pl.DataFrame,
    vague: pl.DataFrame,
    spend: pl.DataFrame,
    group_by: Sequence[str],
) -> pl.DataFrame:
    """The metrics table: grouping columns in ``group_by`` order, then the ``METRIC_COLUMNS`` (32).

    ``counts`` comes from loaders.queries.aggregates.load_group_counts, ``vague`` from
    ``vague_lost`` and ``spend`` from ``allocate_spend``. One row per row of ``counts``,
    sorted by the grouping columns (NULL first). Not yet suppressed: see metrics/suppression.py.
    """
    keys = _keys(group_by)
    table = (
        _with_all(counts, group_by)
        .join(_with_all(vague, group_by), on=keys, how="left", nulls_equal=True)
        .join(_with_all(spend, group_by), on=keys, how="left", nulls_equal=True)
        .with_columns(
            pl.col("vague_lost").fill_null(0),
            # A group whose leads came from campaigns without spend rows spent 0, not "unknown".
            pl.col("spend").fill_null(0.0),
            pl.col("gross_profit_sum").fill_null(0.0),
        )
    )
    metrics = {
        "leads": pl.col("leads"),
        "contacted": pl.col("contacted"),
        "follow_up_rate": rate("contacted", "leads"),
        "median_first_response_min": pl.col("median_first_response_min").cast(pl.Float64),
        "p90_first_response_min": pl.col("p90_first_response_min").cast(pl.Float64),
        "responded_1h_rate": rate("responded_1h", "leads"),
        "no_contact": pl.col("no_contact"),
        "duplicate_contact": pl.col("duplicate_contact"),
        "duplicate_contact_rate": rate("duplicate_contact", "contacted"),
        "avg_attempts": rate("attempts_total", "contacted"),
        "undelivered": pl.col("undelivered"),
        "appointments": pl.col("appointments"),
        "sold": pl.col("sold"),
        "conversion_rate": rate("sold", "leads"),
        "lost": pl.col("lost"),
        "vague_close_rate": rate("vague_lost", "lost"),
        "lost_after_one_attempt_rate": rate("lost_one_attempt", "lost"),
        "spend": pl.col("spend").cast(pl.Float64),
        "cost_per_lead": rate("spend", "leads"),
        "cost_per_sale": rate("spend", "sold"),
        "gross_profit": pl.col("gross_profit_sum").cast(pl.Float64),
        "roi": rate(pl.col("gross_profit_sum") - pl.col("spend"), "spend"),
        "reached": pl.col("reached"),
        "reach_rate": rate("reached", "leads"),
        "invalid_contact_rate": rate("invalid_contacted", "contacted"),
        "coded_contact_rate": rate("coded_phone_contacts", "phone_contacts"),
        "median_first_response_bh_min": pl.col("median_first_response_bh_min").cast(pl.Float64),
        "p90_first_response_bh_min": pl.col("p90_first_response_bh_min").cast(pl.Float64),
        "responded_1bh_rate": rate("responded_1bh", "leads"),
        "mature_leads": pl.col("mature_leads"),
        "sold_in_window": pl.col("sold_in_window"),
        "conversion_in_window_rate": rate("sold_in_window", "mature_leads"),
    }
    assert tuple(metrics) == METRIC_COLUMNS, "compute_metrics must produce the registry's columns in order"
    result = table.select(*(pl.col(dim) for dim in group_by), *(e.alias(n) for n, e in metrics.items()))
    return result.sort(list(group_by), nulls_last=False) if group_by else result


def _keys(group_by: Sequence[str]) -> list[str]:
    return list(group_by) if group_by else [_ALL]


def _with_all(frame: pl.DataFrame, group_by: Sequence[str]) -> pl.DataFrame:
    """``frame`` with a constant key column when there is no grouping (so joins have a key)."""
    if group_by or _ALL in frame.columns:
        return frame
    return frame.with_columns(pl.lit(1, dtype=pl.Int8).alias(_ALL))
