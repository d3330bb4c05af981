"""The tables pages, exports and the CLI show, each built, computed and suppressed in one call.

This is the facade: loaders run the aggregate queries, metrics/ turns counts into
metrics, and metrics/suppression.py blanks small groups before anything is returned.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine

from common import settings
from loaders.facts.lead_facts import chosen_reader_text
from loaders.facts.source import PROBE_SECONDS, with_materialised_facts
from loaders.facts.state import connection_of, data_signature
from loaders.queries.aggregates import QUANTILE_COLUMNS, load_any_lead, load_group_counts
from loaders.queries.close_reasons import load_lost_by_reason, load_taxonomy
from loaders.queries.page_scan import MetricsInputs, grouping_asked, load_page_scan
from loaders.queries.spend import load_campaign_leads, load_campaign_spend, load_group_campaign_leads
from loaders.queries.team_size import load_team_sizes
from loaders.request.query import LeadQuery
from loaders.warehouse.timed_memo import TimedMemo, warehouse_key
from metrics.compute import allocate_spend, compute_metrics, vague_lost
from metrics.registry import CODES_AND_SPEND_METRICS, PEOPLE_METRICS
from metrics.suppression import TEAM_SIZE, TEAM_SUPPRESSED, suppress


@with_materialised_facts
def metrics_table(
    engine: Engine, query: LeadQuery, min_group_size: int, min_team_size: int | None = None
) -> pl.DataFrame:
    """The 22 metrics per group of ``query.group_by``, small groups and small teams suppressed.

    Columns: the grouping columns in ``query.group_by`` order, the 22 ``METRIC_COLUMNS``
    in registry order, then ``suppressed`` and ``team_suppressed`` (metrics/suppression.py;
    ``min_team_size`` defaults to the setting). One row per group that has leads, sorted by
    the grouping columns. Without grouping: exactly one row for the whole lead set; when
    that set is empty it has 0 leads, which is fewer than any K >= 1, so it is suppressed.
    """
    with connection_of(engine) as conn:  # one connection for the seven queries (the facade may pass one)
        inputs = MetricsInputs(
            counts=load_group_counts(conn, query),
            teams=load_team_sizes(conn, query),
            lost_by_reason=load_lost_by_reason(conn, query),
            taxonomy=load_taxonomy(conn),
            campaign_spend=load_campaign_spend(conn, query),
            campaign_leads=load_campaign_leads(conn, query),
            group_campaign_leads=load_group_campaign_leads(conn, query),
        )
    return assemble_metrics(inputs, query.group_by, min_group_size, min_team_size)


def assemble_metrics(
    inputs: MetricsInputs, group_by: tuple[str, ...], min_group_size: int, min_team_size: int | None = None
) -> pl.DataFrame:
    """The suppressed metrics table of ``metrics_table`` from its loaded inputs."""
    vague = vague_lost(inputs.lost_by_reason, inputs.taxonomy, group_by)
    spend = allocate_spend(
        inputs.campaign_spend, inputs.campaign_leads, inputs.group_campaign_leads, group_by
    )
    teams = inputs.teams
    team = int(settings.get("min_team_size")) if min_team_size is None else min_team_size
    table = compute_metrics(inputs.counts, vague, spend, group_by)
    if group_by:
        table = table.join(teams, on=list(group_by), how="left", nulls_equal=True).sort(
            list(group_by), nulls_last=False
        )
    else:
        table = table.with_columns(pl.lit(int(teams[TEAM_SIZE].sum() or 0), dtype=pl.Int64).alias(TEAM_SIZE))
    return suppress(table, group_by, min_group_size, team)


@with_materialised_facts
def has_leads(engine: Engine, query: LeadQuery, min_group_size: int) -> bool:
    """True when at least one lead matches ``query`` (its grouping ignored).

    Pages ask this before drawing anything; no count leaves the warehouse, so there is nothing
    to suppress (``min_group_size`` is accepted for the uniform signature of page tables).
    """
    del min_group_size
    return load_any_lead(engine, query)


@with_materialised_facts
def metrics_tables(
    engine: Engine,
    queries: tuple[LeadQuery, ...],
    min_group_size: int,
    min_team_size: int | None = None,
    *,
    share_team_flags: bool = False,
    response_times: bool = True,
    people: bool = True,
    close_reasons_and_spend: bool = True,
    timed_groupings: tuple[tuple[str, ...], ...] | None = None,
    coded_groupings: tuple[tuple[str, ...], ...] | None = None,
) -> tuple[pl.DataFrame, ...]:
    """``metrics_table`` of each of ``queries``, equal to it table by table, from as few scans as
    possible: the queries of one view (same as-of, filters and scope) whose periods are equal or
    adjacent share two or three statements (loaders/queries/page_scan.py) instead of five each.

    ``share_team_flags``: leave the tables for the page's detail tables' small-team flags
    (``team_flags``); it reads the data's signature, so only a page with such tables asks for it.
    For a page that shows less, and does not pay for the rest (the frames then lack its columns,
    so a page that starts showing one fails loudly instead of drawing a blank):
    ``response_times=False``: no exact quantiles (``QUANTILE_COLUMNS``), most of the scan's time;
    ``people=False``: no "how people worked" metric (``PEOPLE_METRICS``, ``team_suppressed``) and
    so no team sizes; implies ``response_times=False``;
    ``close_reasons_and_spend=False``: no ``CODES_AND_SPEND_METRICS`` (vague closes, spend and the
    costs), so no close-reason and campaign counts and no spend are read;
    ``timed_groupings``: only the tables grouped by one of these (``()``: the ungrouped ones) have
    the quantiles, the others lack them (the Overview's weekly trend when it shows no response time);
    ``coded_groupings``: likewise for the ``CODES_AND_SPEND_METRICS`` (its trend when it shows no cost)."""
    team = int(settings.get("min_team_size")) if min_team_size is None else min_team_size
    response_times = response_times and people
    with connection_of(engine) as conn:
        inputs = load_page_scan(
            conn,
            queries,
            team if people else None,
            response_times=response_times,
            close_reasons_and_spend=close_reasons_and_spend,
            timed_groupings=timed_groupings,
            coded_groupings=coded_groupings,
        )
    frames = tuple(assemble_metrics(inputs[q], q.group_by, min_group_size, team) for q in queries)
    frames = tuple(  # a table without its codes and spend (not asked, or not of a coded grouping) lacks them
        frame
        if grouping_asked(query, close_reasons_and_spend, coded_groupings)
        else frame.drop(CODES_AND_SPEND_METRICS)
        for query, frame in zip(queries, frames, strict=True)
    )
    if not people:
        left_out = [c for c in (*PEOPLE_METRICS, TEAM_SUPPRESSED) if c in frames[0].columns]
        frames = tuple(frame.drop(left_out) for frame in frames)
    else:  # a table without its quantiles (not asked, or not of a timed grouping) lacks the columns
        frames = tuple(
            frame if grouping_asked(query, response_times, timed_groupings) else frame.drop(QUANTILE_COLUMNS)
            for query, frame in zip(queries, frames, strict=True)
        )
    if share_team_flags and min_team_size is None and people:
        signature = _data_version(engine)
        for query, frame in zip(queries, frames, strict=True):
            _FLAGS.put(_flags_key(engine, signature, query, min_group_size), frame)
    return frames


# The small-team flags a detail table needs, shared by the tables of one page render.
#
# Response-time buckets and duplicate contact per dealer are "how people worked": they are hidden
# where the metrics table of the same lead set marks a group ``team_suppressed`` (small team, few
# contacted leads, or its complement). That flag needs the whole metrics table (the complements
# depend on every group's counts), and Follow-up asks it for the same grouping up to three times
# (buckets in business hours, in clock time, duplicate contact): at 10M leads a year's metrics
# table is ~1.8 s, most of it the team-size join of the facts with the activities.
#
# So the table is kept for a few seconds, keyed by the warehouse, the query, K, the team minimum
# and the data's signature (row counts and latest times of leads, activities and outcomes, and
# the refused count): a refusal, an erasure or new data is a different key, computed afresh.
# metrics_tables(..., share_team_flags=True) (Follow-up's one scan) leaves its tables here, so its detail tables
# find the flags of its dealer-group and dealer tables without asking again.
_FLAGS: TimedMemo[pl.DataFrame] = TimedMemo(PROBE_SECONDS, max_keys=64)


def _data_version(engine: Engine) -> str:
    return repr(sorted(data_signature(engine).items()))


def _flags_key(engine: Engine, version: str, query: LeadQuery, min_group_size: int) -> str:
    parts = (warehouse_key(engine), version, chosen_reader_text(), repr(query), str(min_group_size))
    return "|".join(parts) + f"|{settings.get('min_team_size')}"


def team_flags(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """``metrics_table(engine, query, min_group_size)`` for a detail table's small-team flags,
    reused while the data is unchanged for up to PROBE_SECONDS (see the comment above)."""
    key = _flags_key(engine, _data_version(engine), query, min_group_size)
    return _FLAGS.get(key, lambda: _flags_table(engine, query, min_group_size))


def _flags_table(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    # The flags do not depend on response times, close reasons or spend: the page scan without them.
    return metrics_tables(
        engine, (query,), min_group_size, response_times=False, close_reasons_and_spend=False
    )[0]
