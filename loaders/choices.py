"""The values a viewer may pick in the filters: distinct dimension values within their scope.

One ``SELECT DISTINCT`` per dimension over the lead set (the query's period and scope, no
filters, so picking one brand does not hide the others), glued with UNION ALL. Display
names come from the small dimension tables, read whole (nothing personal is in them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
from sqlalchemy import Engine, Select, String, cast, literal, select, union_all

from loaders.contract import campaigns
from loaders.fetch import fetch_frame
from loaders.lead_facts import lead_set
from loaders.query import SIDEBAR_DIMENSIONS, LeadQuery

CHOICE_DIMENSIONS: tuple[str, ...] = SIDEBAR_DIMENSIONS
CHOICE_SCHEMA: dict[str, pl.DataType] = {"dimension": pl.String(), "value": pl.String()}


def choice_values_select(query: LeadQuery) -> Select[Any]:
    """(dimension, value) for every non-NULL value of each CHOICE_DIMENSIONS among the leads."""
    unfiltered = dataclasses.replace(query, filters=(), group_by=())
    scoped = lead_set(unfiltered).cte("scoped_leads")
    parts = [
        select(cast(literal(dim, String), String).label("dimension"), scoped.c[dim].label("value"))
        .where(scoped.c[dim].is_not(None))
        .distinct()
        for dim in CHOICE_DIMENSIONS
    ]
    combined = union_all(*parts).subquery("choices")
    return select(combined.c.dimension, combined.c.value).order_by(combined.c.dimension, combined.c.value)


def fetch_choice_values(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Run ``choice_values_select``: columns ``dimension`` and ``value``."""
    return fetch_frame(engine, choice_values_select(query), CHOICE_SCHEMA)


def read_campaign_names(engine: Engine) -> pl.DataFrame:
    """campaign_id and campaign_name of every campaign."""
    stmt = select(campaigns.c.campaign_id, campaigns.c.campaign_name).order_by(campaigns.c.campaign_id)
    return fetch_frame(engine, stmt, {"campaign_id": pl.String(), "campaign_name": pl.String()})
