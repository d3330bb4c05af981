"""The tables pages, exports and the CLI show, each built, computed and suppressed in one call.

This is the facade: loaders run the aggregate queries, metrics/ turns counts into
metrics, and metrics/suppression.py blanks small groups before anything is returned.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine

from loaders.facts.source import with_materialised_facts
from loaders.facts.state import connection_of
from loaders.queries.aggregates import load_any_lead, load_group_counts
from loaders.queries.close_reasons import load_lost_by_reason, load_taxonomy
from loaders.queries.spend import load_campaign_leads, load_campaign_spend, load_group_campaign_leads
from loaders.request.query import LeadQuery
from metrics.compute import allocate_spend, compute_metrics, vague_lost
from metrics.suppression import suppress


@with_materialised_facts
def metrics_table(engine: Engine, query: LeadQuery, min_group_size: int) -> pl.DataFrame:
    """The 22 metrics per group of ``query.group_by``, small groups suppressed.

    Columns: the grouping columns in ``query.group_by`` order, the 22 ``METRIC_COLUMNS``
    in registry order, then ``suppressed``. One row per group that has leads, sorted by
    the grouping columns. Without grouping: exactly one row for the whole lead set; when
    that set is empty it has 0 leads, which is fewer than any K >= 1, so it is suppressed.
    """
    group_by = query.group_by
    with connection_of(engine) as conn:  # one connection for the six queries (the facade may pass one)
        counts = load_group_counts(conn, query)
        vague = vague_lost(load_lost_by_reason(conn, query), load_taxonomy(conn), group_by)
        spend = allocate_spend(
            load_campaign_spend(conn, query),
            load_campaign_leads(conn, query),
            load_group_campaign_leads(conn, query),
            group_by,
        )
    return suppress(compute_metrics(counts, vague, spend, group_by), group_by, min_group_size)


@with_materialised_facts
def has_leads(engine: Engine, query: LeadQuery, min_group_size: int) -> bool:
    """True when at least one lead matches ``query`` (its grouping ignored).

    Pages ask this before drawing anything; no count leaves the warehouse, so there is nothing
    to suppress (``min_group_size`` is accepted for the uniform signature of page tables).
    """
    del min_group_size
    return load_any_lead(engine, query)
