"""Grouped counts behind response-time buckets, the funnel, the prequalification gap and
follow-up by contact-data quality. Post-processing: ``metrics/detail_response.py``."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, and_, true

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


BH = "bh_"  # prefix of the business-hours buckets in the statement that counts both splits


def fetch_both_response_bucket_counts(engine: Engine, query: LeadQuery) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``fetch_response_bucket_counts`` in clock time and in business hours (in that order), from
    one scan of the facts: the same two frames."""
    facts = lead_facts(query, business_hours=True)
    clock = _bucket_conditions(facts, business_hours=False)
    business = _bucket_conditions(facts, business_hours=True)
    keys = key_names(query)
    both = fetch_counts(engine, facts, keys, clock | {BH + name: c for name, c in business.items()})
    return (
        both.select(*keys, "leads", *clock),
        both.select(*keys, "leads", *(pl.col(BH + name).alias(name) for name in business)),
    )


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
