"""Grouped counts behind the close-reason distribution, vague reasons by dealer and attempts
before write-off. Post-processing: ``metrics/detail_close_reasons.py``.

The taxonomy is applied in Polars (``loaders.queries.close_reasons.load_taxonomy``) because it may
be the built-in default rather than a warehouse table; only counts per code leave the
warehouse, and ``close_reason_text`` is never read.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, and_, case, func, select

from loaders.facts.lead_facts import lead_facts
from loaders.queries.detail_common import dimension_schema, fetch_counts, key_names
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import fetch_frame
from loaders.warehouse.sql_aggregates import count_where
from metrics.detail_close_reasons import ATTEMPT_BUCKETS


def fetch_lost_code_cells(engine: Engine, query: LeadQuery, *extra_keys: str) -> pl.DataFrame:
    """Per group (plus ``extra_keys``) and close-reason code of lost leads: ``leads`` and ``lost``.

    Non-lost leads fall in the row whose code is NULL with ``lost`` not counting them, so
    summing ``leads`` over a group's rows gives the group's leads (what suppression needs).
    """
    facts = lead_facts(query)
    keys = key_names(query, *extra_keys)
    lost = facts.c.is_lost == 1
    lost_code = case((lost, facts.c.close_reason_code), else_=None)
    key_columns = [facts.c[name] for name in keys]
    stmt = (
        select(
            *key_columns,
            lost_code.label("close_reason_code"),
            func.count().label("leads"),
            count_where(lost).label("lost"),
        )
        .select_from(facts)
        .group_by(*key_columns, lost_code)
    )
    schema = dimension_schema(keys) | {
        "close_reason_code": pl.String(),
        "leads": pl.Int64(),
        "lost": pl.Int64(),
    }
    return fetch_frame(engine, stmt, schema)


def fetch_attempt_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group: leads, lost, and lost leads per bucket of qualifying contacts before closing."""
    facts = lead_facts(query)
    lost = facts.c.is_lost == 1
    attempts = facts.c.attempts_to_close
    counts = {"lost": lost}
    for bucket in ATTEMPT_BUCKETS:
        upper = attempts <= bucket.most if bucket.most is not None else attempts >= bucket.least
        counts[bucket.name] = and_(lost, attempts >= bucket.least, upper)
    return fetch_counts(engine, facts, key_names(query), counts)
