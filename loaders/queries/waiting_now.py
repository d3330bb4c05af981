"""Leads waiting now: per dealer, leads of the last 7 days nobody has contacted yet, by business minutes waited.

Post-processing: ``metrics/waiting_now.py``. The query's period is replaced by the 7 days before
``as_of``; its filters and scope stay. Only counts per dealer leave the warehouse, never a lead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import polars as pl
from sqlalchemy import Select, and_, func, or_, select

from loaders.facts.lead_facts import lead_facts
from loaders.facts.opening import business_minutes_until, current_setup
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame, naive_utc
from loaders.warehouse.sql_aggregates import count_where

WAITING_DAYS = 7
# (column, lower bound, upper bound) of business minutes waited; the last bucket has no upper bound.
WAITING_BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("under_60", 0.0, 60.0),
    ("from_60_to_240", 60.0, 240.0),
    ("from_240_to_480", 240.0, 480.0),
    ("from_480", 480.0, None),
)
WAITING_SCHEMA: dict[str, pl.DataType] = {
    "dealer_id": pl.String(),
    "leads": pl.Int64(),
    "waiting": pl.Int64(),
    **{name: pl.Int64() for name, _, _ in WAITING_BUCKETS},
}


def waiting_query(query: LeadQuery) -> LeadQuery:
    """``query`` over the days that hold the 7 days before its ``as_of`` (no grouping)."""
    moment = naive_utc(query.as_of)
    return replace(
        query, start=(moment - timedelta(days=WAITING_DAYS)).date(), end=moment.date(), group_by=()
    )


def waiting_now_select(query: LeadQuery) -> Select[Any]:
    """Per dealer: ``leads`` created in the 7 days before as_of, ``waiting`` (no qualifying contact at
    or before as_of, not closed by then) and the waiting leads per bucket of business minutes waited."""
    moment = naive_utc(query.as_of)
    facts = lead_facts(waiting_query(query))
    recent = and_(facts.c.created_at > moment - timedelta(days=WAITING_DAYS), facts.c.created_at <= moment)
    waiting = and_(
        or_(facts.c.first_contact_at.is_(None), facts.c.first_contact_at > moment),
        or_(facts.c.closed_at.is_(None), facts.c.closed_at > moment),
    )
    rows = (
        select(facts.c.lead_id, facts.c.dealer_id, facts.c.created_at, waiting.label("is_waiting"))
        .where(recent)
        .subquery("recent_leads")
    )
    totals = (
        select(rows.c.dealer_id, func.count().label("leads"), count_where(rows.c.is_waiting).label("waiting"))
        .group_by(rows.c.dealer_id)
        .subquery("recent_totals")
    )
    points = (
        select(rows.c.lead_id, rows.c.dealer_id, rows.c.created_at.label("start_at"))
        .where(rows.c.is_waiting)
        .subquery("waiting_points")
    )
    waited = business_minutes_until(points, moment, current_setup())
    minutes = waited.c.business_minutes
    buckets = []
    for name, low, high in WAITING_BUCKETS:
        inside = minutes >= low if high is None else and_(minutes >= low, minutes < high)
        buckets.append(count_where(inside).label(name))
    by_bucket = select(waited.c.dealer_id, *buckets).group_by(waited.c.dealer_id).subquery("waiting_buckets")
    # Per dealer, so a lead is not joined back to its business minutes; a NULL dealer is a dealer too.
    same_dealer = by_bucket.c.dealer_id.is_not_distinct_from(totals.c.dealer_id)
    return (
        select(
            totals.c.dealer_id,
            totals.c.leads,
            totals.c.waiting,
            *(func.coalesce(by_bucket.c[name], 0).label(name) for name, _, _ in WAITING_BUCKETS),
        )
        .select_from(totals.outerjoin(by_bucket, same_dealer))
        .order_by(totals.c.dealer_id)
    )


def fetch_waiting_now(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``waiting_now_select``: ``WAITING_SCHEMA``, one row per dealer with leads in the 7 days."""
    return fetch_frame(bind, waiting_now_select(query), WAITING_SCHEMA)
