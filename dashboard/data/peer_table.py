"""The network median for a dealer principal, in one call: load anonymous peer counts, take medians.

The facade pages, the CLI and the tests share; the figures of single other dealers never
leave it (the loader drops dealer keys in the warehouse, only medians come back).
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine

from loaders.facts.source import with_materialised_facts
from loaders.queries.network_median import load_peer_counts
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery
from metrics.network_median import PEER_METRICS, network_median


@with_materialised_facts
def network_median_table(
    engine: Engine, query: LeadQuery, own: AccessScope, min_group_size: int
) -> pl.DataFrame:
    """One row: ``dealers`` (how many other dealers contribute), then the median of each PEER_METRICS.

    ``query`` is the viewer's (period, filters, scope); ``own`` their dealer-group grants.
    The medians are NULL when fewer than ``min_group_size`` dealers contribute.
    """
    return network_median(load_peer_counts(engine, query, own), min_group_size, PEER_METRICS)
