"""The detail tables pages and exports show, each loaded, computed and suppressed in one call.

Facade over ``loaders/detail_*.py`` (aggregate SQL over lead_facts), ``metrics/detail_*.py``
(pure Polars) and ``metrics/suppression.py``. Every function takes the same arguments as
``dashboard.data.tables.metrics_table`` and returns a frame whose rows about fewer than
``min_group_size`` leads carry NULL numbers and ``suppressed`` = true. Grouping columns
come first, in ``query.group_by`` order.
"""

from __future__ import annotations

import dataclasses

import polars as pl
from sqlalchemy import Engine

from dashboard.data.tables import team_flags
from loaders.contract.tables import EMAIL_STATUSES, PHONE_STATUSES
from loaders.facts.lead_facts import UNKNOWN
from loaders.facts.source import with_materialised_facts
from loaders.queries.choices import fetch_choice_values, read_campaign_names
from loaders.queries.close_reasons import load_taxonomy
from loaders.queries.detail_arrival import fetch_arrival_counts
from loaders.queries.detail_close_reasons import fetch_attempt_counts, fetch_lost_code_cells
from loaders.queries.detail_common import key_names, read_dealers
from loaders.queries.detail_coverage import (
    fetch_double_lead_counts,
    fetch_duplicate_contact_by_dealer,
    fetch_no_contact_by_age,
)
from loaders.queries.detail_delivery import DELIVERY_KEYS, fetch_delivery_counts
from loaders.queries.detail_response import (
    bucket_counts_from_cells,
    fetch_best_outcome_counts,
    fetch_follow_up_by_status,
    fetch_funnel_counts,
    fetch_prequalification_counts,
    fetch_response_bucket_cells,
    fetch_response_bucket_counts,
)
from loaders.queries.waiting_now import fetch_waiting_now
from loaders.request.query import LeadQuery
from metrics import detail_arrival, detail_close_reasons, detail_coverage, detail_delivery, detail_response
from metrics.detail_choices import label_choices
from metrics.suppression import hide_for_small_teams
from metrics.waiting_now import waiting_now_table


@with_materialised_facts
def response_buckets(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Leads per first-response bucket in clock time: group columns, bucket, label, count, share,
    suppressed, team_suppressed."""
    return _response_buckets(engine, query, min_group_size, business_hours=False)


@with_materialised_facts
def response_buckets_bh(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Leads per first-response bucket in the dealer's business hours (within 15, 15-60, 60-240
    business minutes, over 240, never): the columns of ``response_buckets``."""
    return _response_buckets(engine, query, min_group_size, business_hours=True)


@with_materialised_facts
def response_bucket_tables(
    engine: Engine, query: LeadQuery, min_group_size: int, *, also: tuple[LeadQuery, ...] = ()
) -> tuple[pl.DataFrame, ...]:
    """``response_buckets_bh`` and ``response_buckets`` of ``query`` (in that order: the pair
    Follow-up draws), then the same pair of each of ``also`` (the same view grouped otherwise),
    all from one scan of the facts."""
    cells = fetch_response_bucket_cells(engine, (query, *also))
    tables: list[pl.DataFrame] = []
    for one in (query, *also):
        teams = team_flags(engine, one, min_group_size)
        for business_hours, buckets in (
            (True, detail_response.BUSINESS_HOURS_BUCKETS),
            (False, detail_response.RESPONSE_BUCKETS),
        ):
            counts = bucket_counts_from_cells(cells, one, business_hours=business_hours)
            tables.append(_bucket_table(counts, one, min_group_size, buckets, teams))
    return tuple(tables)


def _response_buckets(
    engine: Engine, query: LeadQuery, min_group_size: int, *, business_hours: bool
) -> pl.DataFrame:
    counts = fetch_response_bucket_counts(engine, query, business_hours=business_hours)
    buckets = detail_response.BUSINESS_HOURS_BUCKETS if business_hours else detail_response.RESPONSE_BUCKETS
    return _bucket_table(counts, query, min_group_size, buckets, team_flags(engine, query, min_group_size))


def _bucket_table(
    counts: pl.DataFrame,
    query: LeadQuery,
    min_group_size: int,
    buckets: tuple[detail_response.ResponseBucket, ...],
    teams: pl.DataFrame,
) -> pl.DataFrame:
    table = detail_response.response_buckets_table(counts, query.group_by, min_group_size, buckets)
    # How fast leads were answered is how people worked: hidden for small teams, like the median.
    return hide_for_small_teams(table, teams, query.group_by, ("count", "share"))


@with_materialised_facts
def funnel(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Leads reaching each stage: group columns, stage, label, count, share (of leads), suppressed."""
    counts = fetch_funnel_counts(engine, query)
    return detail_response.funnel_table(counts, query.group_by, min_group_size)


@with_materialised_facts
def result_codes(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Best result-code outcome per group: group columns, outcome, label, count, share (of the
    group's leads), suppressed. Every lead counted once, under its best outcome."""
    counts = fetch_best_outcome_counts(engine, query)
    return detail_response.best_outcome_table(counts, query.group_by, min_group_size)


@with_materialised_facts
def prequalification_gap(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns, complete_leads, complete_follow_up_rate, incomplete_leads,
    incomplete_follow_up_rate, gap_points (percentage points), suppressed."""
    counts = fetch_prequalification_counts(engine, query)
    return detail_response.prequalification_gap_table(counts, query.group_by, min_group_size)


@with_materialised_facts
def close_reasons(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Lost leads per group and code: group columns, category, close_reason_code, label,
    is_vague, next_action, count, share (of the group's lost leads), suppressed."""
    cells = fetch_lost_code_cells(engine, query)
    return detail_close_reasons.close_reason_distribution_table(
        cells, load_taxonomy(engine), query.group_by, min_group_size
    )


@with_materialised_facts
def double_leads(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns, leads, double_leads, double_lead_rate, suppressed."""
    counts = fetch_double_lead_counts(engine, query)
    return detail_coverage.double_leads_table(counts, query.group_by, min_group_size)


def _follow_up_by(status: str, engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    counts = fetch_follow_up_by_status(engine, query, status)
    groups = [dim for dim in query.group_by if dim != status]
    order = PHONE_STATUSES if status == "phone_status" else EMAIL_STATUSES
    return detail_response.follow_up_by_status_table(counts, groups, status, order, min_group_size)


@with_materialised_facts
def follow_up_by_phone_status(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns, phone_status, leads, follow_up_rate, points_vs_valid, suppressed."""
    return _follow_up_by("phone_status", engine, query, min_group_size)


@with_materialised_facts
def follow_up_by_email_status(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns, email_status, leads, follow_up_rate, points_vs_valid, suppressed."""
    return _follow_up_by("email_status", engine, query, min_group_size)


@with_materialised_facts
def arrival_heat_map(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """All 7 x 24 cells per group: group columns, weekday (1 = Mon), weekday_name, hour,
    leads, follow_up_rate, suppressed (per cell). Local time of the dealer, else UTC."""
    counts = fetch_arrival_counts(engine, query)
    return detail_arrival.arrival_heat_map_table(counts, query.group_by, min_group_size)


@with_materialised_facts
def no_contact_by_dealer_age(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns (dealer_id among them), dealer_name, age_bucket, leads (the dealer's),
    no_contact, suppressed (on the dealer's leads)."""
    counts = fetch_no_contact_by_age(engine, query)
    keys = key_names(query, "dealer_id")
    return detail_coverage.no_contact_by_dealer_age_table(counts, read_dealers(engine), keys, min_group_size)


@with_materialised_facts
def duplicate_contact_by_dealer(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns (dealer_id among them), dealer_name, leads, contacted, duplicate_contact,
    duplicate_contact_rate, suppressed."""
    counts = fetch_duplicate_contact_by_dealer(engine, query)
    keys = key_names(query, "dealer_id")
    table = detail_coverage.duplicate_contact_by_dealer_table(
        counts, read_dealers(engine), keys, min_group_size
    )
    teams = team_flags(engine, dataclasses.replace(query, group_by=keys), min_group_size)
    return hide_for_small_teams(table, teams, keys, ("duplicate_contact", "duplicate_contact_rate"))


@with_materialised_facts
def lead_delivery(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Other group columns, source, dealer_id, dealer_name, week, sent, delivered, undelivered,
    suppressed (when fewer than K leads were sent)."""
    counts = fetch_delivery_counts(engine, query)
    keys = key_names(query, *DELIVERY_KEYS)
    return detail_delivery.delivery_table(counts, read_dealers(engine), keys, min_group_size)


@with_materialised_facts
def undelivered_runs(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Other group columns, source, dealer_id, dealer_name, first_week, last_week, weeks, sent,
    undelivered, suppressed: stretches of weeks whose leads did not all arrive."""
    counts = fetch_delivery_counts(engine, query)
    keys = key_names(query, *DELIVERY_KEYS)
    return detail_delivery.undelivered_runs_table(counts, read_dealers(engine), keys, min_group_size)


@with_materialised_facts
def vague_reasons_by_dealer(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns (dealer_id among them), dealer_name, leads, lost, vague_lost, vague_share,
    suppressed."""
    cells = fetch_lost_code_cells(engine, query, "dealer_id")
    keys = key_names(query, "dealer_id")
    return detail_close_reasons.vague_reasons_by_dealer_table(
        cells, load_taxonomy(engine), read_dealers(engine), keys, min_group_size
    )


@with_materialised_facts
def attempts_before_write_off(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Group columns, attempts ('0', '1', '2', '3', '4+'), count (lost leads), share (of lost),
    suppressed."""
    counts = fetch_attempt_counts(engine, query)
    return detail_close_reasons.attempts_before_write_off_table(counts, query.group_by, min_group_size)


@with_materialised_facts
def dimension_choices(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Filter choices within the query's period and scope (its filters and grouping ignored):
    dimension, value, label, dealer_group_id (on dealer rows). No numbers, so nothing to
    suppress; ``min_group_size`` is accepted for a uniform signature."""
    del min_group_size  # lists of names carry no counts
    values = fetch_choice_values(engine, query)
    return label_choices(values, read_dealers(engine), read_campaign_names(engine), UNKNOWN)


@with_materialised_facts
def waiting_now(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """Leads waiting now per dealer (the 7 days before ``query.as_of``; its period and grouping are
    ignored): dealer_id, leads, waiting, under_60, from_60_to_240, from_240_to_480, from_480
    (business minutes waited), suppressed."""
    return waiting_now_table(fetch_waiting_now(engine, query), min_group_size)
