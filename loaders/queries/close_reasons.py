"""The close-reason taxonomy, and lost leads counted per group and close-reason code.

The taxonomy is the warehouse's ``close_reasons`` table, or the default taxonomy
(metrics/taxonomy.py) when that table is empty. ``close_reason_text`` is never read.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Select, func, select

from loaders.contract.tables import close_reasons
from loaders.facts.lead_facts import lead_facts
from loaders.queries.aggregates import group_columns
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame, group_schema
from metrics.taxonomy import default_close_reasons_frame

TAXONOMY_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "category": pl.String(),
    "label": pl.String(),
    "is_vague": pl.Boolean(),
    "next_action": pl.String(),
}
LOST_BY_REASON_SCHEMA: dict[str, pl.DataType] = {"close_reason_code": pl.String(), "lost": pl.Int64()}


def taxonomy_select() -> Select[Any]:
    """Every row of the warehouse's ``close_reasons`` table."""
    return select(*(close_reasons.c[name] for name in TAXONOMY_SCHEMA)).order_by(close_reasons.c.code)


def load_taxonomy(bind: Bind) -> pl.DataFrame:
    """The close-reason taxonomy in force: the warehouse's table, or the default when it is empty."""
    frame = fetch_frame(bind, taxonomy_select(), TAXONOMY_SCHEMA)
    if frame.is_empty():
        return default_close_reasons_frame().select(
            pl.col(name).cast(dtype) for name, dtype in TAXONOMY_SCHEMA.items()
        )
    return frame


def lost_by_reason_select(query: LeadQuery) -> Select[Any]:
    """Lost leads per group and ``close_reason_code`` (NULL code kept as its own row)."""
    facts = lead_facts(query)
    groups = group_columns(facts, query.group_by)
    return (
        select(*groups, facts.c.close_reason_code, func.count().label("lost"))
        .select_from(facts)
        .where(facts.c.is_lost == 1)
        .group_by(*groups, facts.c.close_reason_code)
    )


def load_lost_by_reason(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``lost_by_reason_select``: grouping columns, ``close_reason_code``, ``lost``."""
    schema = group_schema(query.group_by) | LOST_BY_REASON_SCHEMA
    return fetch_frame(bind, lost_by_reason_select(query), schema)
