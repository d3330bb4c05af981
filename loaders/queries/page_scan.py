"""Several metrics tables of one page from one scan of the facts: GROUPING SETS over periods.

A page shows the KPI tiles (the whole lead set, and the comparison period for the deltas) and
tables by week, market, dealer ... Asked one by one, each metrics table is five statements
(loaders/queries/aggregates.py, close_reasons.py, spend.py, team_size.py), each its own scan of
the period's facts with its own exact quantiles. Here the tables of one page that share the
as-of time, filters and scope ("slices") are answered together:

* ``slice_counts_select``: the ``COUNT_COLUMNS`` of every slice in one statement. The facts of
  the union of the slices' periods (when those periods are disjoint and adjacent, e.g. a period
  and the previous one) carry a period number; one grouping set per (period, grouping). The
  aggregate expressions are ``aggregates.count_columns``, the same as the one-table statement's.
* ``slice_codes_select``: lost leads per close-reason code and leads per campaign per slice (the
  inputs of the vague-close rate and the spend allocation), and N_c per campaign when no filter
  or scope narrows the lead set, in one statement without quantiles.
* ``slice_teams_select``: distinct salespeople per slice group (small-team suppression).

``GROUPING(column)`` tells a grouping set's NULL (column not in the set) from a NULL value.
``split_rows`` hands each slice exactly the rows its own statement returns, so the metrics
layer computes the same frames (tests/test_page_scan.py compares every table with
``metrics_table``, on DuckDB and PostgreSQL, materialised and on the fly).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Integer, Select, Subquery, and_, case, func, literal, or_, select, tuple_

from loaders.contract.tables import lead_activities
from loaders.facts.lead_facts import lead_facts, period_bounds, qualifying_contact
from loaders.queries.aggregates import COUNT_SCHEMA, count_columns
from loaders.queries.close_reasons import load_taxonomy
from loaders.queries.spend import SPEND_CAMPAIGN, load_campaign_leads, load_campaign_spend
from loaders.request.query import LeadQuery, Scope
from loaders.warehouse.fetch import Bind, dimension_dtype, fetch_frame
from loaders.warehouse.sql_aggregates import count_where
from metrics.suppression import TEAM_SIZE

PERIOD = "leadline_period"  # the slice's period number in the statements' rows
CODE, CAMPAIGN = "close_reason_code", "campaign_id"
GROUPED = "leadline_grouped_"  # prefix of the GROUPING(column) flags


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


@dataclasses.dataclass(frozen=True)
class ScanPlan:
    """Slices answered by one scan: their distinct periods (in order) and the union query."""

    slices: tuple[LeadQuery, ...]
    periods: tuple[tuple[date, date], ...]

    @property
    def union(self) -> LeadQuery:
        """The first slice over the union of the periods, ungrouped: the facts one scan reads."""
        first = self.slices[0]
        return dataclasses.replace(first, start=self.periods[0][0], end=self.periods[-1][1], group_by=())

    def period_of(self, query: LeadQuery) -> int:
        """The period number of a slice of this plan."""
        return self.periods.index((query.start, query.end))

    @property
    def unfiltered(self) -> bool:
        """No filter and no scope: N_c (leads per campaign, everybody's) comes from the same scan."""
        first = self.slices[0]
        return not first.filters and first.scope == Scope.everything()


def plan_scans(queries: Sequence[LeadQuery]) -> list[ScanPlan]:
    """The queries grouped into scans: the same as-of, filters and scope, and periods that are
    equal or disjoint and adjacent (a gap would make the scan read leads nobody asked for)."""
    plans: list[ScanPlan] = []
    by_view: dict[tuple[Any, ...], list[LeadQuery]] = {}
    for query in dict.fromkeys(queries):
        by_view.setdefault((query.as_of, query.filters, query.scope), []).append(query)
    for slices in by_view.values():
        periods = sorted({(q.start, q.end) for q in slices})
        runs: list[list[tuple[date, date]]] = []
        for period in periods:  # in order of start: each joins a run it continues, or starts one
            run = next((r for r in runs if r[-1][1] + timedelta(days=1) == period[0]), None)
            if run is None:
                runs.append([period])
            else:
                run.append(period)
        for run in runs:
            members = tuple(q for q in slices if (q.start, q.end) in run)
            plans.append(ScanPlan(members, tuple(run)))
    return plans


def _sliced(plan: ScanPlan, *, business_hours: bool) -> Subquery:
    """The facts of the plan's periods with their period number."""
    facts = lead_facts(plan.union, business_hours=business_hours)
    ranges = []
    for start, end in plan.periods:
        low, high = period_bounds(dataclasses.replace(plan.union, start=start, end=end))
        ranges.append(and_(facts.c.created_at >= low, facts.c.created_at < high))
    number = case(*((r, literal(i)) for i, r in enumerate(ranges)), else_=None)
    where = [or_(*ranges)] if len(ranges) > 1 else []
    return select(facts, number.label(PERIOD)).where(*where).subquery("sliced")


def _sets(keys: list[tuple[str, ...]]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The distinct grouping sets (each with the period first) and every column they use."""
    sets = list(dict.fromkeys((PERIOD, *dict.fromkeys(k)) for k in keys))
    columns = list(dict.fromkeys(c for s in sets for c in s[1:]))
    return columns, sets


def _grouped_select(sliced: Subquery, keys: list[tuple[str, ...]], aggregates: list[Any]) -> Select[Any]:
    columns, sets = _sets(keys)
    flags = [func.grouping(sliced.c[c]).cast(Integer).label(GROUPED + c) for c in columns]
    grouping = func.grouping_sets(*(tuple_(*(sliced.c[c] for c in s)) for s in sets))
    return (
        select(sliced.c[PERIOD], *(sliced.c[c] for c in columns), *flags, *aggregates)
        .select_from(sliced)
        .group_by(grouping)
    )


def schema_of(keys: list[tuple[str, ...]], values: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    """The columns of a statement of ``_grouped_select`` over ``keys``."""
    columns, _ = _sets(keys)
    flags = {GROUPED + c: pl.Int64() for c in columns}
    return {PERIOD: pl.Int64(), **{c: dimension_dtype(c) for c in columns}, **flags, **values}


def counts_keys(plan: ScanPlan) -> list[tuple[str, ...]]:
    """The grouping of each slice of ``plan``, for ``slice_counts_select``."""
    return [q.group_by for q in plan.slices]


def slice_counts_select(plan: ScanPlan) -> Select[Any]:
    """``COUNT_COLUMNS`` per period and grouping of every slice of ``plan``, in one scan."""
    sliced = _sliced(plan, business_hours=True)
    return _grouped_select(sliced, counts_keys(plan), count_columns(sliced, plan.union))


CODE_VALUES: dict[str, pl.DataType] = {"lost": pl.Int64(), "leads": pl.Int64()}


def codes_keys(plan: ScanPlan) -> list[tuple[str, ...]]:
    """Per slice (grouping, close_reason_code) and (grouping, campaign_id); (campaign_id) for N_c."""
    keys = [(*q.group_by, extra) for q in plan.slices for extra in (CODE, CAMPAIGN)]
    return [*keys, (CAMPAIGN,)] if plan.unfiltered else keys


def slice_codes_select(plan: ScanPlan) -> Select[Any]:
    """Lost leads and leads per period, slice grouping and close-reason code or campaign, in one scan."""
    sliced = _sliced(plan, business_hours=False)
    aggregates = [count_where(sliced.c.is_lost == 1).label("lost"), func.count().label("leads")]
    return _grouped_select(sliced, codes_keys(plan), aggregates)


def slice_teams_select(plan: ScanPlan) -> Select[Any]:
    """Distinct salespeople with a qualifying contact per period and slice grouping (one join).

    A qualifying contact occurs at or after its lead's creation, so none before the first period
    starts: said explicitly, so the warehouse skips older activities before the join.
    """
    sliced = _sliced(plan, business_hours=False)
    act = lead_activities
    columns, sets = _sets(counts_keys(plan))
    flags = [func.grouping(sliced.c[c]).cast(Integer).label(GROUPED + c) for c in columns]
    grouping = func.grouping_sets(*(tuple_(*(sliced.c[c] for c in s)) for s in sets))
    return (
        select(
            sliced.c[PERIOD],
            *(sliced.c[c] for c in columns),
            *flags,
            func.count(act.c.actor_key.distinct()).cast(Integer).label(TEAM_SIZE),
        )
        .select_from(sliced.join(act, act.c.lead_id == sliced.c.lead_id))
        .where(qualifying_contact(sliced.c.created_at), act.c.occurred_at >= period_bounds(plan.union)[0])
        .group_by(grouping)
    )


def split_rows(
    rows: pl.DataFrame, keys: list[tuple[str, ...]], period: int, key: tuple[str, ...]
) -> pl.DataFrame:
    """The rows of one grouping set: period ``period``, grouped by exactly the columns of ``key``."""
    columns, _ = _sets(keys)
    wanted = set(key)
    condition = pl.col(PERIOD) == period
    for c in columns:
        condition = condition & (pl.col(GROUPED + c) == (0 if c in wanted else 1))
    return rows.filter(condition)


def empty_counts_row() -> pl.DataFrame:
    """What the ungrouped counts statement returns for an empty lead set: 0 leads, no quantiles."""
    values: dict[str, Any] = {}
    for name, dtype in COUNT_SCHEMA.items():
        values[name] = [None] if name.startswith(("median", "p90")) else [0.0 if dtype == pl.Float64() else 0]
    return pl.DataFrame(values, schema=COUNT_SCHEMA)


def load_page_scan(bind: Bind, queries: Sequence[LeadQuery]) -> dict[LeadQuery, MetricsInputs]:
    """The inputs of the metrics table of each of ``queries``: exactly the frames the one-table
    loaders return (same columns, dtypes and rows), from three statements per ``ScanPlan``."""
    taxonomy = load_taxonomy(bind)
    spend = {(q.start, q.end): load_campaign_spend(bind, q) for q in queries}
    out: dict[LeadQuery, MetricsInputs] = {}
    for plan in plan_scans(queries):
        counts_k, codes_k = counts_keys(plan), codes_keys(plan)
        counts = fetch_frame(bind, slice_counts_select(plan), schema_of(counts_k, COUNT_SCHEMA))
        codes = fetch_frame(bind, slice_codes_select(plan), schema_of(codes_k, CODE_VALUES))
        teams = fetch_frame(bind, slice_teams_select(plan), schema_of(counts_k, {TEAM_SIZE: pl.Int64()}))
        for query in plan.slices:
            period, g = plan.period_of(query), query.group_by
            mine = split_rows(counts, counts_k, period, g).select(*g, *COUNT_SCHEMA)
            if not g and mine.is_empty():
                mine = empty_counts_row()
            lost = split_rows(codes, codes_k, period, (*g, CODE)).filter(pl.col("lost") > 0)
            by_campaign = split_rows(codes, codes_k, period, (*g, CAMPAIGN)).filter(
                pl.col(CAMPAIGN).is_not_null()
            )
            if plan.unfiltered:
                every = split_rows(codes, codes_k, period, (CAMPAIGN,)).filter(pl.col(CAMPAIGN).is_not_null())
                campaign_leads = every.select(
                    pl.col(CAMPAIGN).alias(SPEND_CAMPAIGN), pl.col("leads").alias("campaign_leads")
                )
            else:
                campaign_leads = load_campaign_leads(bind, query)
            out[query] = MetricsInputs(
                counts=mine,
                teams=split_rows(teams, counts_k, period, g).select(*g, TEAM_SIZE),
                lost_by_reason=lost.select(*g, CODE, "lost"),
                taxonomy=taxonomy,
                campaign_spend=spend[(query.start, query.end)],
                campaign_leads=campaign_leads,
                group_campaign_leads=by_campaign.select(
                    *g, pl.col(CAMPAIGN).alias(SPEND_CAMPAIGN), pl.col("leads").alias("group_campaign_leads")
                ),
            )
    return out
