"""Team sizes for a page scan: distinct salespeople per group, joined only where it decides something.

Small-team suppression (metrics/suppression.py) asks one question of each group: did at least
K = ``min_team_size`` distinct salespeople make its qualifying contacts? The exact count is a join
of the period's facts with ``lead_activities`` (9M x 16M rows for a year at 10M leads, 1.5-2.5 s:
the most expensive statement of a page). Most groups answer the question without it:

* the facts already hold each lead's ``distinct_actors``, and a group's team is at least as large
  as the team of its busiest lead: ``max(distinct_actors) >= K`` decides "K or more";
* ``max(distinct_actors) = 0`` means nobody contacted the group's leads: a team of 0.

``slice_counts_select`` returns that maximum per group (``BUSIEST_LEAD``). Only the groups left,
whose busiest lead had 1 to K-1 salespeople, need the join, and it reads only their leads (a
superset: every lead of every such group, so each of their counts is exact). A decided group
gets the busiest lead's count as its ``salespeople``: not its team size, but on the same side of
K, which is all suppression compares (tests/test_page_teams.py proves the decisions equal the
exact join's, and tests/test_page_scan.py every table equal to the one-table path's).

``actor_key`` still appears only inside ``COUNT(DISTINCT ...)`` (tests/test_privacy.py).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, FromClause, Integer, Select, and_, false, func, or_

from loaders.contract.tables import lead_activities
from loaders.facts.lead_facts import period_bounds, qualifying_contact
from loaders.queries.scan_plan import (
    GROUPED,
    PERIOD,
    ScanPlan,
    columns_and_sets,
    counts_keys,
    grouped_select,
    schema_of,
    sliced_facts,
)
from loaders.warehouse.fetch import Bind, fetch_frame
from metrics.suppression import TEAM_SIZE

BUSIEST_LEAD = "leadline_busiest_lead"  # max(distinct_actors) of a group: salespeople on its busiest lead
# More undecided groups than this: the join reads the whole period (a long OR costs more to plan).
MAX_UNDECIDED = 400


def busiest_lead_column(facts: Any) -> ColumnElement[Any]:
    """The most distinct salespeople on one lead of the group (0: no lead contacted)."""
    return func.coalesce(func.max(facts.c.distinct_actors), 0).cast(Integer).label(BUSIEST_LEAD)


def slice_teams_select(plan: ScanPlan, undecided: pl.DataFrame | None = None) -> Select[Any]:
    """Distinct salespeople with a qualifying contact per period and slice grouping (one join).

    ``undecided``: rows of the plan's counts statement (``undecided_rows``); the join then reads
    only their groups' leads (``admitting``). A qualifying contact occurs at or after its lead's
    creation, so none before the first period starts: said explicitly, so the warehouse skips
    older activities before the join.
    """
    sliced = sliced_facts(plan, business_hours=False)
    act = lead_activities
    columns, _ = columns_and_sets(counts_keys(plan))
    where = [qualifying_contact(sliced.c.created_at), act.c.occurred_at >= period_bounds(plan.union)[0]]
    only = None if undecided is None else admitting(sliced, columns, undecided)
    if only is not None:
        where.append(only)
    salespeople = func.count(act.c.actor_key.distinct()).cast(Integer).label(TEAM_SIZE)
    # The join hides ``sliced`` among the FROMs: the sets and flags of grouped_select, over the join.
    statement = grouped_select(sliced, counts_keys(plan), [salespeople])
    return statement.select_from(sliced.join(act, act.c.lead_id == sliced.c.lead_id)).where(*where)


def undecided_rows(counts: pl.DataFrame, min_team_size: int) -> pl.DataFrame:
    """The rows of a counts statement whose busiest lead leaves the team question open (1 .. K-1)."""
    busiest = pl.col(BUSIEST_LEAD)
    return counts.filter((busiest > 0) & (busiest < min_team_size))


def admitting(sliced: FromClause, columns: list[str], undecided: pl.DataFrame) -> ColumnElement[bool] | None:
    """A condition on ``sliced`` admitting every lead of the ``undecided`` rows, or None (read
    everything) when there are too many of them. Per (period, grouping set): the values its
    columns take (NULL included), so each group's leads all pass and the join counts it exactly."""
    if undecided.height > MAX_UNDECIDED:
        return None
    terms: list[ColumnElement[bool]] = []
    for (period, *flags), rows in undecided.group_by(
        [PERIOD, *(GROUPED + c for c in columns)], maintain_order=True
    ):
        parts: list[ColumnElement[bool]] = [sliced.c[PERIOD] == period]
        for c in (c for c, flag in zip(columns, flags, strict=True) if flag == 0):
            values = rows[c].unique().to_list()
            present = [v for v in values if v is not None]
            member = [sliced.c[c].in_(present)] if present else []
            if len(present) < len(values):
                member.append(sliced.c[c].is_(None))
            parts.append(or_(*member))
        terms.append(and_(*parts))
    return or_(*terms) if terms else false()


def load_slice_teams(bind: Bind, plan: ScanPlan, counts: pl.DataFrame, min_team_size: int) -> pl.DataFrame:
    """``salespeople`` per row of ``counts`` (a ``slice_counts_select`` result with ``BUSIEST_LEAD``):
    the busiest lead's count where that decides the side of ``min_team_size``, else the exact join's.
    Columns: the statement's period, grouping columns and flags, then ``salespeople``."""
    keys = counts_keys(plan)
    identity = list(schema_of(keys, {}))
    decided = counts.select(*identity, pl.col(BUSIEST_LEAD).alias(TEAM_SIZE))
    open_rows = undecided_rows(counts, min_team_size)
    if open_rows.is_empty():
        return decided
    statement = slice_teams_select(plan, open_rows)
    joined = fetch_frame(bind, statement, schema_of(keys, {TEAM_SIZE: pl.Int64()}))
    exact = open_rows.select(identity).join(joined, on=identity, how="left", nulls_equal=True)
    exact = exact.with_columns(pl.col(TEAM_SIZE).fill_null(0))
    settled = decided.join(open_rows.select(identity), on=identity, how="anti", nulls_equal=True)
    return pl.concat([settled, exact.select(settled.columns)])
