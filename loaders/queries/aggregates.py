"""Per-group counts, sums and quantiles over the lead facts: the inputs of the metrics table.

One GROUP BY over ``lead_facts(query)`` runs in the warehouse; only one row per group
comes back. metrics/compute.py turns these counts into the metric columns.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, FromClause, Integer, Select, Subquery, and_, func, select

from common import settings
from loaders.facts.lead_facts import lead_facts, lead_set
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame, group_schema, naive_utc
from loaders.warehouse.sql_aggregates import count_where, quantile_cont
from loaders.warehouse.sql_time import minutes_between
from metrics.result_codes import REACHED_RANK

NO_CONTACT_AFTER = timedelta(hours=24)  # a lead counts as "no contact" only once it is this old
RESPONSE_WITHIN_MIN = 60.0
RESPONSE_QUANTILES = (0.5, 0.9)  # computed in one aggregate where the warehouse can
# The exact quantiles of COUNT_COLUMNS: the costliest aggregates (every response time of the
# period collected and ordered per group), asked only by pages that show a response time.
QUANTILE_COLUMNS = (
    "median_first_response_min",
    "p90_first_response_min",
    "median_first_response_bh_min",
    "p90_first_response_bh_min",
)

# The columns of ``group_counts_select`` after the grouping columns, with their dtypes.
COUNT_SCHEMA: dict[str, pl.DataType] = {
    "leads": pl.Int64(),
    "contacted": pl.Int64(),
    "responded_1h": pl.Int64(),
    "no_contact": pl.Int64(),
    "duplicate_contact": pl.Int64(),
    "attempts_total": pl.Int64(),
    "undelivered": pl.Int64(),
    "appointments": pl.Int64(),
    "sold": pl.Int64(),
    "lost": pl.Int64(),
    "lost_one_attempt": pl.Int64(),
    "gross_profit_sum": pl.Float64(),
    "median_first_response_min": pl.Float64(),
    "p90_first_response_min": pl.Float64(),
    "reached": pl.Int64(),
    "invalid_contacted": pl.Int64(),
    "phone_contacts": pl.Int64(),
    "coded_phone_contacts": pl.Int64(),
    # Issue 13: business hours and conversion within a window (appended, so older columns keep their place).
    "responded_1bh": pl.Int64(),
    "median_first_response_bh_min": pl.Float64(),
    "p90_first_response_bh_min": pl.Float64(),
    "mature_leads": pl.Int64(),
    "sold_in_window": pl.Int64(),
}
COUNT_COLUMNS: tuple[str, ...] = tuple(COUNT_SCHEMA)


def group_columns(facts: Subquery, group_by: tuple[str, ...]) -> list[ColumnElement[Any]]:
    """The grouping columns of ``facts`` in ``group_by`` order (dimensions only, never actor_key)."""
    return [facts.c[dim] for dim in group_by]


def group_counts_select(query: LeadQuery) -> Select[Any]:
    """One row per group of ``query.group_by`` (one row in all without grouping) with ``COUNT_COLUMNS``."""
    facts = lead_facts(query, business_hours=True)
    groups = group_columns(facts, query.group_by)
    statement = select(*groups, *count_columns(facts, query)).select_from(facts)
    return statement.group_by(*groups) if groups else statement


def count_columns(facts: FromClause, query: LeadQuery) -> list[ColumnElement[Any]]:
    """The ``COUNT_COLUMNS`` aggregates over ``facts`` (any source with the columns of
    ``lead_facts``), labelled, for the as-of time of ``query``: the single definition that
    ``group_counts_select`` and the grouping-sets page plans (loaders/queries/page_scan.py) share."""
    no_contact_cutoff = naive_utc(query.as_of) - NO_CONTACT_AFTER
    contacted = facts.c.attempts > 0
    window_days = conversion_window_days()
    mature = facts.c.created_at <= naive_utc(query.as_of) - timedelta(days=window_days)
    sold_in_window = and_(
        mature,
        facts.c.sold_at.is_not(None),
        minutes_between(facts.c.created_at, facts.c.sold_at) < window_days * 1440.0,
    )
    return [
        func.count().label("leads"),
        count_where(contacted).label("contacted"),
        count_where(facts.c.first_response_min <= RESPONSE_WITHIN_MIN).label("responded_1h"),
        count_where(and_(facts.c.attempts == 0, facts.c.created_at <= no_contact_cutoff)).label("no_contact"),
        count_where(facts.c.distinct_actors >= 2).label("duplicate_contact"),
        func.coalesce(func.sum(facts.c.attempts), 0).cast(Integer).label("attempts_total"),
        count_where(facts.c.is_delivered == 0).label("undelivered"),
        count_where(facts.c.has_appointment == 1).label("appointments"),
        count_where(facts.c.is_sold == 1).label("sold"),
        count_where(facts.c.is_lost == 1).label("lost"),
        count_where(and_(facts.c.is_lost == 1, facts.c.attempts_to_close <= 1)).label("lost_one_attempt"),
        func.coalesce(func.sum(facts.c.sold_gross_profit), 0).label("gross_profit_sum"),
        # Over contacted leads only: first_response_min is NULL for the others and aggregates skip NULL.
        quantile_cont(facts.c.first_response_min, 0.5, RESPONSE_QUANTILES).label("median_first_response_min"),
        quantile_cont(facts.c.first_response_min, 0.9, RESPONSE_QUANTILES).label("p90_first_response_min"),
        count_where(facts.c.best_result_rank >= REACHED_RANK).label("reached"),
        count_where(and_(facts.c.has_invalid_contact == 1, facts.c.best_result_rank < REACHED_RANK)).label(
            "invalid_contacted"
        ),
        func.coalesce(func.sum(facts.c.phone_contacts), 0).cast(Integer).label("phone_contacts"),
        func.coalesce(func.sum(facts.c.coded_phone_contacts), 0).cast(Integer).label("coded_phone_contacts"),
        count_where(facts.c.first_response_bh_min <= RESPONSE_WITHIN_MIN).label("responded_1bh"),
        quantile_cont(facts.c.first_response_bh_min, 0.5, RESPONSE_QUANTILES).label(
            "median_first_response_bh_min"
        ),
        quantile_cont(facts.c.first_response_bh_min, 0.9, RESPONSE_QUANTILES).label(
            "p90_first_response_bh_min"
        ),
        count_where(mature).label("mature_leads"),
        count_where(sold_in_window).label("sold_in_window"),
    ]


def conversion_window_days() -> int:
    """The setting ``conversion_window_days``: W of ``conversion_in_window_rate``."""
    return int(settings.get("conversion_window_days"))


def load_group_counts(bind: Bind, query: LeadQuery) -> pl.DataFrame:
    """Run ``group_counts_select``: grouping columns, then ``COUNT_COLUMNS``."""
    schema = group_schema(query.group_by) | COUNT_SCHEMA
    return fetch_frame(bind, group_counts_select(query), schema)


def any_lead_select(query: LeadQuery) -> Select[Any]:
    """One row, one column: whether any lead is in ``lead_set(query)`` (EXISTS: stops at the first)."""
    return select(lead_set(query).exists().label("any_lead"))


def load_any_lead(bind: Bind, query: LeadQuery) -> bool:
    """Run ``any_lead_select``."""
    return bool(fetch_frame(bind, any_lead_select(query), {"any_lead": pl.Boolean()})["any_lead"][0])
