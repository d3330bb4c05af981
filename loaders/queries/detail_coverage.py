"""Grouped counts behind the coverage gaps: no-contact leads by dealer and age, duplicate
contacts by dealer, and double leads. Post-processing: ``metrics/detail_coverage.py``."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from sqlalchemy import ColumnElement, Engine, and_, case, exists, or_, select, true
from sqlalchemy.orm import aliased

from loaders.contract.tables import leads
from loaders.facts.lead_facts import lead_facts
from loaders.queries.detail_common import fetch_counts, key_names
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import naive_utc
from metrics.detail_coverage import DOUBLE_LEAD_WINDOW_DAYS, NO_CONTACT_AGE_BUCKETS


def fetch_no_contact_by_age(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group and dealer: leads, and never-contacted leads per age bucket at ``as_of``.

    A lead's age is ``as_of - created_at``; a bucket holds ages in [least, below) days, so
    leads younger than the first bucket (24 h) are not yet counted as no-contact.
    """
    facts = lead_facts(query)
    as_of = naive_utc(query.as_of)
    never = facts.c.first_response_min.is_(None)
    counts: dict[str, ColumnElement[bool]] = {}
    for bucket in NO_CONTACT_AGE_BUCKETS:
        # Age >= least days  <=>  created_at <= as_of - least days (thresholds are bound values).
        clauses = [never, facts.c.created_at <= as_of - timedelta(days=bucket.least_days)]
        if bucket.below_days is not None:
            clauses.append(facts.c.created_at > as_of - timedelta(days=bucket.below_days))
        counts[bucket.name] = and_(*clauses)
    return fetch_counts(engine, facts, key_names(query, "dealer_id"), counts)


def fetch_duplicate_contact_by_dealer(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group and dealer: leads, contacted, and leads contacted by 2+ distinct salespeople."""
    facts = lead_facts(query)
    counts = {
        "contacted": facts.c.first_response_min.is_not(None),
        "duplicate_contact": facts.c.distinct_actors >= 2,
    }
    return fetch_counts(engine, facts, key_names(query, "dealer_id"), counts)


def fetch_double_lead_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group: leads, and double leads (the buyer sent a lead for the brand shortly before).

    A lead of L is double when another lead with the same customer_key and brand, consent
    not false, was created in the DOUBLE_LEAD_WINDOW_DAYS days before it (the window's
    start included). The earlier lead is looked up in all of ``leads``: it may lie before
    the period or outside the filters and scope. Leads created at the same instant are
    ordered by lead_id, so of two simultaneous leads exactly one is the double.
    """
    facts = lead_facts(query)
    keys = key_names(query)
    if "is_double" in facts.c:
        # The materialised facts (loaders/facts/build.py) hold the same flag precomputed.
        precomputed = select(*(facts.c[name] for name in keys), facts.c.is_double).subquery("double_flags")
        return fetch_counts(engine, precomputed, keys, {"double_leads": precomputed.c.is_double == 1})
    earlier = aliased(leads, name="earlier_lead")
    window = timedelta(days=DOUBLE_LEAD_WINDOW_DAYS)
    earlier_exists = exists(
        select(earlier.c.lead_id).where(
            earlier.c.customer_key == facts.c.customer_key,
            earlier.c.brand == facts.c.brand,
            earlier.c.lead_id != facts.c.lead_id,
            earlier.c.created_at >= facts.c.created_at - window,
            or_(
                earlier.c.created_at < facts.c.created_at,
                and_(earlier.c.created_at == facts.c.created_at, earlier.c.lead_id < facts.c.lead_id),
            ),
            or_(earlier.c.consent.is_(None), earlier.c.consent == true()),
        )
    )
    flagged = select(
        *(facts.c[name] for name in keys),
        case((and_(facts.c.customer_key.is_not(None), earlier_exists), 1), else_=0).label("is_double"),
    ).subquery("double_flags")
    return fetch_counts(engine, flagged, keys, {"double_leads": flagged.c.is_double == 1})
