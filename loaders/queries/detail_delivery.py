"""Grouped counts behind the lead-delivery table: leads sent and delivered by source, dealer
and week. Post-processing: ``metrics/detail_delivery.py``."""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine

from loaders.facts.lead_facts import lead_facts
from loaders.queries.detail_common import fetch_counts, key_names
from loaders.request.query import LeadQuery

DELIVERY_KEYS = ("source", "dealer_id", "week")


def fetch_delivery_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group, source, dealer and week: ``leads`` (sent) and ``delivered``."""
    facts = lead_facts(query)
    return fetch_counts(
        engine, facts, key_names(query, *DELIVERY_KEYS), {"delivered": facts.c.is_delivered == 1}
    )
