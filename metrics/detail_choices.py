"""Filter choices with display names, and the dealer -> dealer group mapping. Pure Polars."""

from __future__ import annotations

import polars as pl

CHOICE_COLUMNS = ("dimension", "value", "label", "dealer_group_id")


def label_choices(
    values: pl.DataFrame, dealers: pl.DataFrame, campaigns: pl.DataFrame, unknown_group: str
) -> pl.DataFrame:
    """``values`` (dimension, value) with a ``label`` to show and, on dealer rows, their group.

    Labels: dealer_name for dealer_id, dealer_group_name for dealer_group_id, campaign_name
    for campaign_id, the value itself otherwise (and when the name is unknown). Choosing a
    dealer group narrows the dealer list through ``dealer_group_id``; a dealer missing from
    the dealers table belongs to ``unknown_group``, as its leads do.
    """
    names = pl.concat(
        [
            dealers.select(
                pl.lit("dealer_id").alias("dimension"),
                pl.col("dealer_id").alias("value"),
                pl.col("dealer_name").alias("_name"),
                pl.col("dealer_group_id").alias("dealer_group_id"),
            ),
            dealers.select(
                pl.lit("dealer_group_id").alias("dimension"),
                pl.col("dealer_group_id").alias("value"),
                pl.col("dealer_group_name").alias("_name"),
                pl.lit(None, dtype=pl.String).alias("dealer_group_id"),
            ).unique("value", keep="first", maintain_order=True),
            campaigns.select(
                pl.lit("campaign_id").alias("dimension"),
                pl.col("campaign_id").alias("value"),
                pl.col("campaign_name").alias("_name"),
                pl.lit(None, dtype=pl.String).alias("dealer_group_id"),
            ),
        ],
        how="vertical",
    ).unique(["dimension", "value"], keep="first", maintain_order=True)
    labelled = values.join(names, on=["dimension", "value"], how="left").with_columns(
        pl.coalesce(pl.col("_name"), pl.col("value")).alias("label"),
        pl.when((pl.col("dimension") == "dealer_id") & pl.col("_name").is_null())
        .then(pl.lit(unknown_group))
        .otherwise(pl.col("dealer_group_id"))
        .alias("dealer_group_id"),
    )
    return labelled.select(*CHOICE_COLUMNS)


def dealers_in_groups(choices: pl.DataFrame, group_ids: list[str]) -> pl.DataFrame:
    """The dealer choices belonging to any of ``group_ids`` (all dealer choices when it is empty)."""
    dealers = choices.filter(pl.col("dimension") == "dealer_id")
    return dealers.filter(pl.col("dealer_group_id").is_in(group_ids)) if group_ids else dealers
