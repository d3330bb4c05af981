"""The period a viewer who is not an administrator gets: widened to whole blocks of at least K leads.

Defends against overlapping-period differencing (docs/privacy.md, section 3): two views whose
periods differ by a day would reveal that day's leads. The blocks come from the week counts
of the viewer's own lead set (filters and scope applied), metrics/period_blocks.py cuts them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from dashboard.filters.view import View
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
    start, end = guarded_period(engine, query, min_group_size)
    return dataclasses.replace(query, start=start, end=end)


@functools.cache
def _guarded_period_cache() -> Callable[[LeadQuery, int], tuple[date, date]]:
    # Made at first use, not at import: the CLI imports this module outside a Streamlit runtime,
    # where the page caches would log a warning each (cron mails what `leadline digests` logs).
    from dashboard.data import cached as data

    return data.cached(guarded_period)


def guarded_period_cached(query: LeadQuery, min_group_size: int) -> tuple[date, date]:
    """``guarded_period`` on the configured warehouse, cached like every table the pages read.

    The pages, digests and alerts share this one cache.
    """
    return _guarded_period_cache()(query, min_group_size)


def guarded_view(view: View) -> View:
    """``view`` for a viewer who is not an administrator: its period widened to whole blocks of
    weeks with at least K leads, every query (the comparison's too) guarded the same way.

    Pages, digests and alerts all go through it, so an e-mail shows the periods the page shows.
    """
    k = view.min_group_size

    def guard(query: LeadQuery) -> tuple[date, date]:
        return guarded_period_cached(query, k)

    guarded = dataclasses.replace(view, period_guard=guard)
    start, end = guard(dataclasses.replace(view.query(), group_by=()))
    return dataclasses.replace(guarded, state=dataclasses.replace(view.state, start=start, end=end))
