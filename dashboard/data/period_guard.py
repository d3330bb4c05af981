"""The period a viewer who is not an administrator gets: widened to whole blocks of at least K leads.

Defends against overlapping-period differencing (docs/privacy.md, section 3): two views whose
periods differ by a day would reveal that day's leads. The blocks come from the week counts
of the viewer's own lead set (filters and scope applied), metrics/period_blocks.py cuts them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from loaders.facts.source import with_materialised_facts
from loaders.queries.week_counts import load_week_counts
from loaders.request.query import LeadQuery
from metrics.period_blocks import period_blocks, snap_period


@with_materialised_facts
def guarded_period(engine: Engine, query: LeadQuery, min_group_size: int) -> tuple[date, date]:
    """``query``'s period widened to whole blocks of at least ``min_group_size`` of its leads."""
    blocks = period_blocks(load_week_counts(engine, query), max(min_group_size, 1))
    return snap_period(query.start, query.end, blocks)


def guarded_query(engine: Engine, query: LeadQuery, min_group_size: int) -> LeadQuery:
    """``query`` over its guarded period (grouping, filters and scope unchanged)."""
    import dataclasses

    start, end = guarded_period(engine, query, min_group_size)
    return dataclasses.replace(query, start=start, end=end)
