"""Several metrics tables of one page from one scan of the facts: GROUPING SETS over periods.

A page shows the KPI tiles (the whole lead set, and the comparison period for the deltas) and
tables by week, market, dealer ... Asked one by one, each metrics table is five statements
(loaders/queries/aggregates.py, close_reasons.py, spend.py, team_size.py), each its own scan of
the period's facts with its own exact quantiles. Here the tables of one page that share the
as-of time, filters and scope ("slices") are answered together:

* ``slice_counts_select``: the counts and sums of ``COUNT_COLUMNS`` of every slice in one
  statement. The facts of the union of the slices' periods (when those periods are disjoint and
  adjacent, e.g. a period and the previous one) carry a period number; one grouping set per
  (period, grouping). The aggregate expressions are ``aggregates.count_columns``, the same as the
  one-table statement's. They add up, so they are rolled up (a plain GROUP BY, then the sets).
* ``slice_quantiles_select``: the exact response-time quantiles (``QUANTILE_COLUMNS``) of every
  slice, over the leads that have a response time only: the quantiles skip the others' NULLs
  anyway, and leaving them out of the statement keeps them out of every grouping set's hash
  table (at 10M leads the counts of a quarter view 1.6 s in one statement, 0.5 + 0.7 s so).
* ``slice_codes_select``: lost leads per close-reason code and leads per campaign per slice (the
  inputs of the vague-close rate and the spend allocation), and N_c per campaign when no filter
  or scope narrows the lead set, rolled up, one statement per period: its innermost GROUP BY
  has every column of every set, so the comparison period's leads would otherwise be grouped
  by week, market or dealer as well (Overview default quarter at 10M: 0.48 -> 0.35 s). A page
  that shows no close-reason or spend metric (Follow-up, Delivery) asks none of it
  (``close_reasons_and_spend=False``: no codes, taxonomy or spend statement).
* team sizes (small-team suppression): the counts statement also returns each group's busiest
  lead's salespeople, which settles most groups; a join with the activities counts only the
  others (loaders/queries/page_teams.py).

The plan, the sliced facts and the grouping sets are loaders/queries/scan_plan.py.
``split_rows`` hands each slice exactly the rows its own statement returns, so the metrics
layer computes the same frames (tests/test_page_scan.py compares every table with
``metrics_table``, on DuckDB and PostgreSQL, materialised and on the fly).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Select, func, or_, select

from loaders.queries.aggregates import COUNT_SCHEMA, QUANTILE_COLUMNS, count_columns
from loaders.queries.close_reasons import LOST_BY_REASON_SCHEMA, TAXONOMY_SCHEMA, load_taxonomy
from loaders.queries.page_teams import BUSIEST_LEAD, busiest_lead_column, load_slice_teams
from loaders.queries.scan_plan import (
    ScanPlan,
    counts_keys,
    grouped_select,
    period_plans,
    plan_scans,
    rolled_up_select,
    schema_of,
    sliced_facts,
    split_rows,
    widened,
)
from loaders.queries.spend import (
    CAMPAIGN_LEADS_SCHEMA,
    CAMPAIGN_SPEND_SCHEMA,
    GROUP_CAMPAIGN_LEADS_SCHEMA,
    SPEND_CAMPAIGN,
    load_campaign_leads,
    load_campaign_spend,
)
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import Bind, fetch_frame, group_schema
from loaders.warehouse.sql_aggregates import count_where
from metrics.suppression import TEAM_SIZE

CODE, CAMPAIGN = "close_reason_code", "campaign_id"


@dataclasses.dataclass(frozen=True)
class MetricsInputs:
    """What the loaders return for one metrics table (one statement each, or split from a page scan)."""

    counts: pl.DataFrame
    teams: pl.DataFrame
    lost_by_reason: pl.DataFrame
    taxonomy: pl.DataFrame
    campaign_spend: pl.DataFrame
    campaign_leads: pl.DataFrame
    group_campaign_leads: pl.DataFrame


def slice_counts_select(plan: ScanPlan) -> Select[Any]:
    """The ``COUNT_COLUMNS`` but the ``QUANTILE_COLUMNS`` per period and grouping of every slice of
    ``plan``, in one scan, and each group's ``BUSIEST_LEAD`` (the input of
    loaders/queries/page_teams.py); columns as ``counts_schema`` says. They all add up (the busiest
    lead is a maximum), so they are rolled up (``rolled_up_select``)."""
    sliced = sliced_facts(plan, business_hours=True)  # responded_1bh needs them
    aggregates = [a for a in count_columns(sliced, plan.union) if a.name not in QUANTILE_COLUMNS]
    aggregates.append(busiest_lead_column(sliced))
    return rolled_up_select(sliced, counts_keys(plan), aggregates, maxima=frozenset({BUSIEST_LEAD}))


def counts_schema(plan: ScanPlan) -> dict[str, pl.DataType]:
    """The columns of ``slice_counts_select(plan)``."""
    values = {n: t for n, t in COUNT_SCHEMA.items() if n not in QUANTILE_COLUMNS} | {BUSIEST_LEAD: pl.Int64()}
    return schema_of(counts_keys(plan), values)


def slice_quantiles_select(plan: ScanPlan) -> Select[Any]:
    """The ``QUANTILE_COLUMNS`` per period and grouping of every slice of ``plan``, over the leads
    with a response time (in clock or business time): the same values as over every lead, whose
    NULLs the quantiles skip. A group without such a lead has no row (its quantiles are NULL)."""
    sliced = sliced_facts(plan, business_hours=True)
    timed = (
        select(sliced)
        .where(or_(sliced.c.first_response_min.is_not(None), sliced.c.first_response_bh_min.is_not(None)))
        .subquery("responded")
    )
    aggregates = [a for a in count_columns(timed, plan.union) if a.name in QUANTILE_COLUMNS]
    return grouped_select(timed, counts_keys(plan), aggregates)


def grouping_asked(query: LeadQuery, wanted: bool, groupings: Collection[tuple[str, ...]] | None) -> bool:
    """Whether ``query``'s table gets a part of the scan (quantiles, codes and spend): the page
    wants it (``wanted``) and ``groupings`` is None (every grouping) or holds the query's."""
    return wanted and (groupings is None or query.group_by in groupings)


QUANTILE_VALUES: dict[str, pl.DataType] = {n: COUNT_SCHEMA[n] for n in QUANTILE_COLUMNS}


def load_per_period(
    bind: Bind,
    plan: ScanPlan,
    statement: Callable[[ScanPlan], Select[Any]],
    keys: Callable[[ScanPlan], list[tuple[str, ...]]],
    values: dict[str, pl.DataType],
    asked: ScanPlan | None = None,
) -> pl.DataFrame:
    """``statement`` run once per period of ``plan`` (``period_plans``), its rows as the rows of the
    plan's sets (``widened``): the sets of one period do not group or order the others' rows.
    ``asked``: only these slices of ``plan`` (same periods; a period without one is not asked)."""
    parts = [
        widened(fetch_frame(bind, statement(one), schema_of(keys(one), values)), keys(plan), number)
        for number, one in period_plans(asked or plan)
        if one.slices
    ]
    return pl.concat(parts, how="vertical")


def load_slice_counts(
    bind: Bind, plan: ScanPlan, *, timed: frozenset[tuple[str, ...]] | None = None
) -> pl.DataFrame:
    """``slice_counts_select`` with the quantiles of ``slice_quantiles_select`` (one statement per
    period of ``plan``) joined to their group's row (NULL where a group has no response time).
    ``timed``: only the slices grouped by one of these get their quantiles (None: every slice;
    the others' are NULL)."""
    counts = fetch_frame(bind, slice_counts_select(plan), counts_schema(plan))
    asked = tuple(q for q in plan.slices if grouping_asked(q, True, timed))
    if not asked:
        return counts.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in QUANTILE_COLUMNS)
    only = ScanPlan(asked, plan.periods)
    quantiles = load_per_period(bind, plan, slice_quantiles_select, counts_keys, QUANTILE_VALUES, only)
    keys = [c for c in quantiles.columns if c not in QUANTILE_COLUMNS]  # period, columns, GROUPING flags
    return counts.join(quantiles, on=keys, how="left", nulls_equal=True, validate="1:1")


CODE_VALUES: dict[str, pl.DataType] = {"lost": pl.Int64(), "leads": pl.Int64()}


def codes_keys(plan: ScanPlan) -> list[tuple[str, ...]]:
    """Per slice (grouping, close_reason_code) and (grouping, campaign_id); (campaign_id) for N_c."""
    keys = [(*q.group_by, extra) for q in plan.slices for extra in (CODE, CAMPAIGN)]
    return [*keys, (CAMPAIGN,)] if plan.unfiltered else keys


def slice_codes_select(plan: ScanPlan) -> Select[Any]:
    """Lost leads and leads per period, slice grouping and close-reason code or campaign, in one scan."""
    sliced = sliced_facts(plan, business_hours=False)
    aggregates = [count_where(sliced.c.is_lost == 1).label("lost"), func.count().label("leads")]
    return rolled_up_select(sliced, codes_keys(plan), aggregates)


def load_slice_codes(bind: Bind, plan: ScanPlan, asked: ScanPlan | None = None) -> pl.DataFrame:
    """``slice_codes_select`` per period of ``plan``, as the rows of the plan's sets (``widened``):
    the comparison period's totals are not grouped by week, market or dealer on the way.
    ``asked``: only these slices of ``plan`` (``load_per_period``)."""
    return load_per_period(bind, plan, slice_codes_select, codes_keys, CODE_VALUES, asked)


def empty_counts_row() -> pl.DataFrame:
    """What the ungrouped counts statement returns for an empty lead set: 0 leads, no quantiles."""
    values: dict[str, Any] = {}
    for name, dtype in COUNT_SCHEMA.items():
        values[name] = [None] if name.startswith(("median", "p90")) else [0.0 if dtype == pl.Float64() else 0]
    return pl.DataFrame(values, schema=COUNT_SCHEMA)


def _codes_inputs(
    bind: Bind, plan: ScanPlan, codes: pl.DataFrame, query: LeadQuery
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The lost leads per close-reason code, N_c and the leads per campaign of ``query``'s groups,
    split from ``codes`` (``load_slice_codes``); N_c asks its own statement when a filter or scope
    narrows the lead set."""
    period, g, codes_k = plan.period_of(query), query.group_by, codes_keys(plan)
    lost = split_rows(codes, codes_k, period, (*g, CODE)).filter(pl.col("lost") > 0)
    by_campaign = split_rows(codes, codes_k, period, (*g, CAMPAIGN)).filter(pl.col(CAMPAIGN).is_not_null())
    if plan.unfiltered:
        every = split_rows(codes, codes_k, period, (CAMPAIGN,)).filter(pl.col(CAMPAIGN).is_not_null())
        campaign_leads = every.select(
            pl.col(CAMPAIGN).alias(SPEND_CAMPAIGN), pl.col("leads").alias("campaign_leads")
        )
    else:
        campaign_leads = load_campaign_leads(bind, query)
    group_campaign_leads = by_campaign.select(
        *g, pl.col(CAMPAIGN).alias(SPEND_CAMPAIGN), pl.col("leads").alias("group_campaign_leads")
    )
    return lost.select(*g, CODE, "lost"), campaign_leads, group_campaign_leads


def _no_codes_inputs(query: LeadQuery) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``_codes_inputs`` of a page that shows no close-reason or spend metric: no row at all."""
    groups = group_schema(query.group_by)
    return (
        pl.DataFrame(schema=groups | LOST_BY_REASON_SCHEMA),
        pl.DataFrame(schema=CAMPAIGN_LEADS_SCHEMA),
        pl.DataFrame(schema=groups | GROUP_CAMPAIGN_LEADS_SCHEMA),
    )


def load_page_scan(
    bind: Bind,
    queries: Sequence[LeadQuery],
    min_team_size: int | None,
    *,
    response_times: bool = True,
    close_reasons_and_spend: bool = True,
    timed_groupings: tuple[tuple[str, ...], ...] | None = None,
    coded_groupings: tuple[tuple[str, ...], ...] | None = None,
) -> dict[LeadQuery, MetricsInputs]:
    """The inputs of the metrics table of each of ``queries``, from a few statements per
    ``ScanPlan`` (the counts; codes and quantiles per period; team sizes where a group is open):
    the frames the one-table loaders return (same columns, dtypes and rows), except
    ``teams``, whose ``salespeople`` is exact only where a group's busiest lead does not already
    settle whether it reaches ``min_team_size`` (loaders/queries/page_teams.py; ``None``: no team
    sizes at all, ``teams`` empty, for pages that show no "how people worked" metric), the
    ``QUANTILE_COLUMNS`` of ``counts``, NULL when ``response_times`` is False or the query's grouping
    is not one of ``timed_groupings`` (None: every grouping), and, when
    ``close_reasons_and_spend`` is False (a page that shows no ``CODES_AND_SPEND_METRICS``), no
    close-reason codes, taxonomy, campaign leads or spend (empty frames: no statement asked); with
    ``coded_groupings``, the same for the queries not grouped by one of these (None: every grouping)."""
    coded = [q for q in queries if grouping_asked(q, close_reasons_and_spend, coded_groupings)]
    taxonomy = load_taxonomy(bind) if coded else pl.DataFrame(schema=TAXONOMY_SCHEMA)
    empty_spend = pl.DataFrame(schema=CAMPAIGN_SPEND_SCHEMA)
    spend = {(q.start, q.end): load_campaign_spend(bind, q) for q in coded}
    timed = None if timed_groupings is None else frozenset(timed_groupings)
    out: dict[LeadQuery, MetricsInputs] = {}
    for plan in plan_scans(queries):
        counts_k = counts_keys(plan)
        counts = load_slice_counts(bind, plan, timed=timed if response_times else frozenset())
        with_codes = tuple(q for q in plan.slices if q in coded)
        codes = load_slice_codes(bind, plan, ScanPlan(with_codes, plan.periods)) if with_codes else None
        if min_team_size is None:
            teams = pl.DataFrame(schema=schema_of(counts_k, {TEAM_SIZE: pl.Int64()}))
        else:
            teams = load_slice_teams(bind, plan, counts, min_team_size)
        for query in plan.slices:
            period, g = plan.period_of(query), query.group_by
            mine = split_rows(counts, counts_k, period, g).select(*g, *COUNT_SCHEMA)
            if not g and mine.is_empty():
                mine = empty_counts_row()
            lost, campaign_leads, group_campaign_leads = (
                _codes_inputs(bind, plan, codes, query)
                if codes is not None and query in with_codes
                else _no_codes_inputs(query)
            )
            out[query] = MetricsInputs(
                counts=mine,
                teams=split_rows(teams, counts_k, period, g).select(*g, TEAM_SIZE),
                lost_by_reason=lost,
                taxonomy=taxonomy,
                campaign_spend=spend[(query.start, query.end)] if query in coded else empty_spend,
                campaign_leads=campaign_leads,
                group_campaign_leads=group_campaign_leads,
            )
    return out
