"""Grouped counts behind response-time buckets, the funnel, the prequalification gap and
follow-up by contact-data quality. Post-processing: ``metrics/detail_response.py``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, and_, case, literal, select, true

from loaders.facts.lead_facts import lead_facts
from loaders.queries.detail_common import fetch_counts, key_names
from loaders.request.query import LeadQuery
from metrics.detail_response import BUSINESS_HOURS_BUCKETS, RESPONSE_BUCKETS, ResponseBucket
from metrics.result_codes import BEST_OUTCOMES, REACHED_RANK


def _bucket_condition(first_response: ColumnElement[Any], bucket: ResponseBucket) -> ColumnElement[bool]:
    if bucket.never:
        return first_response.is_(None)
    clauses: list[ColumnElement[bool]] = [first_response.is_not(None)]
    if bucket.above is not None:
        clauses.append(first_response > bucket.above)
    if bucket.up_to is not None:
        clauses.append(first_response <= bucket.up_to)
    return and_(true(), *clauses)


def _bucket_conditions(facts: Any, *, business_hours: bool) -> dict[str, ColumnElement[bool]]:
    """Each bucket's condition: RESPONSE_BUCKETS by first_response_min, or with ``business_hours``
    BUSINESS_HOURS_BUCKETS by first_response_bh_min. "never" is a lead without a qualifying contact
    either way, so the two splits have the same never count."""
    first_response = facts.c.first_response_bh_min if business_hours else facts.c.first_response_min
    buckets = BUSINESS_HOURS_BUCKETS if business_hours else RESPONSE_BUCKETS
    return {
        b.name: facts.c.first_response_min.is_(None) if b.never else _bucket_condition(first_response, b)
        for b in buckets
    }


def fetch_response_bucket_counts(
    engine: Engine, query: LeadQuery, *, business_hours: bool = False
) -> pl.DataFrame:
    """Per group: leads, and leads in each bucket of RESPONSE_BUCKETS (by first_response_min), or
    with ``business_hours`` of BUSINESS_HOURS_BUCKETS (by first_response_bh_min)."""
    facts = lead_facts(query, business_hours=business_hours)
    return fetch_counts(
        engine, facts, key_names(query), _bucket_conditions(facts, business_hours=business_hours)
    )


CLOCK_BUCKET, BH_BUCKET = "clock_bucket", "bh_bucket"  # a lead's bucket in each split, by position


def _bucket_index(facts: Any, *, business_hours: bool) -> ColumnElement[Any]:
    """The position, in its split's buckets, of the bucket a lead is in (the buckets do not overlap);
    NULL for a lead in none (a contacted lead without business minutes)."""
    conditions = _bucket_conditions(facts, business_hours=business_hours)
    return case(*((condition, literal(i)) for i, condition in enumerate(conditions.values())), else_=None)


def fetch_response_bucket_cells(engine: Engine, queries: Sequence[LeadQuery]) -> pl.DataFrame:
    """Leads per value of every grouping column of ``queries`` (one view: the same period, as-of,
    filters and scope; each its own grouping) and pair of buckets: ``CLOCK_BUCKET`` and ``BH_BUCKET``
    (positions in RESPONSE_BUCKETS and BUSINESS_HOURS_BUCKETS). One scan of the facts for both
    splits of every grouping: ``bucket_counts_from_cells`` adds the cells up."""
    first = queries[0]
    if any(dataclasses.replace(q, group_by=first.group_by) != first for q in queries):
        raise ValueError("response-bucket cells answer queries that differ in their grouping only")
    columns = tuple(dict.fromkeys(c for q in queries for c in q.group_by))
    facts = lead_facts(dataclasses.replace(first, group_by=()), business_hours=True)
    cells = select(
        *(facts.c[c] for c in columns),
        _bucket_index(facts, business_hours=False).label(CLOCK_BUCKET),
        _bucket_index(facts, business_hours=True).label(BH_BUCKET),
    ).subquery("bucket_cells")
    index_types = {CLOCK_BUCKET: pl.Int64(), BH_BUCKET: pl.Int64()}
    return fetch_counts(engine, cells, (*columns, CLOCK_BUCKET, BH_BUCKET), {}, index_types)


def bucket_counts_from_cells(cells: pl.DataFrame, query: LeadQuery, *, business_hours: bool) -> pl.DataFrame:
    """``fetch_response_bucket_counts(query, business_hours=...)`` (the same columns and rows) from
    ``fetch_response_bucket_cells`` of a list holding ``query``: counts add up."""
    buckets = BUSINESS_HOURS_BUCKETS if business_hours else RESPONSE_BUCKETS
    position = pl.col(BH_BUCKET if business_hours else CLOCK_BUCKET)
    sums = [
        pl.col("leads").sum().cast(pl.Int64).alias("leads"),
        *(
            pl.col("leads").filter(position == i).sum().cast(pl.Int64).alias(b.name)
            for i, b in enumerate(buckets)
        ),
    ]
    keys = list(query.group_by)
    # Ungrouped, SQL returns one row (0 leads) even for no lead; grouped, one row per group seen.
    return cells.group_by(keys).agg(sums) if keys else cells.select(sums)


def fetch_funnel_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group: leads, contacted, reached, appointments, test_drives, quotes, sold."""
    facts = lead_facts(query)
    keys = key_names(query)
    counts = {
        "contacted": facts.c.first_response_min.is_not(None),
        "reached": facts.c.best_result_rank >= REACHED_RANK,
        "appointments": facts.c.has_appointment == 1,
        "test_drives": facts.c.has_test_drive == 1,
        "quotes": facts.c.has_quote == 1,
        "sold": facts.c.is_sold == 1,
    }
    return fetch_counts(engine, facts, keys, counts)


def fetch_best_outcome_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group: leads, and leads per best result-code outcome (metrics.result_codes.BEST_OUTCOMES)."""
    facts = lead_facts(query)
    counts = {o.name: facts.c.best_result_rank == o.rank for o in BEST_OUTCOMES}
    return fetch_counts(engine, facts, key_names(query), counts)


def fetch_prequalification_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group: leads, contacted, and both among leads with valid phone and valid e-mail."""
    facts = lead_facts(query)
    keys = key_names(query)
    complete = and_(facts.c.phone_status == "valid", facts.c.email_status == "valid")
    contacted = facts.c.first_response_min.is_not(None)
    counts = {
        "contacted": contacted,
        "complete_leads": complete,
        "complete_contacted": and_(complete, contacted),
    }
    return fetch_counts(engine, facts, keys, counts)


def fetch_follow_up_by_status(engine: Engine, query: LeadQuery, status_column: str) -> pl.DataFrame:
    """Per group and value of ``status_column`` (phone_status or email_status): leads, contacted, reached."""
    if status_column not in ("phone_status", "email_status"):
        raise ValueError(f"follow-up by status needs phone_status or email_status, not {status_column!r}")
    facts = lead_facts(query)
    keys = key_names(query, status_column)
    counts = {
        "contacted": facts.c.first_response_min.is_not(None),
        "reached": facts.c.best_result_rank >= REACHED_RANK,
    }
    return fetch_counts(engine, facts, keys, counts)
