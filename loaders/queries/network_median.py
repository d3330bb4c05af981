"""Counts of the *other* dealers of the same brands, one anonymous row per dealer.

A dealer principal sees their numbers next to the network's median over the other
dealers of the same brands. The per-dealer counts are grouped in the warehouse, the
viewer's own dealers are removed there, and the dealer keys are dropped before the rows
leave it: what comes back cannot say which dealer a row is. metrics/network_median.py
turns the rows into one median per metric.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Select, Subquery, false, not_, or_, select

from loaders.facts.lead_facts import lead_set
from loaders.queries.aggregates import COUNT_COLUMNS, COUNT_SCHEMA, group_counts_select
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope
from loaders.warehouse.fetch import Bind, fetch_frame

DEALER_DIMENSIONS = ("dealer_group_id", "dealer_id")


def viewer_brands_select(query: LeadQuery) -> Select[Any]:
    """The brands of the viewer's own leads in the period and filters (their scope applied)."""
    own = lead_set(dataclasses.replace(query, group_by=())).subquery("own_leads")
    return select(own.c.brand).distinct().order_by(own.c.brand)


def peer_query(query: LeadQuery, brands: tuple[str, ...]) -> LeadQuery:
    """The whole network's leads of ``brands`` in the same period and filters, by dealer.

    Filters on dealer groups or dealers pick among the viewer's own dealers, so they do
    not apply to the peers; every other filter (market, source, lead type ...) does.
    """
    filters = {dim: values for dim, values in query.filters if dim not in DEALER_DIMENSIONS}
    filters["brand"] = tuple(sorted(set(brands) & set(filters.get("brand", brands))))
    return dataclasses.replace(
        query,
        group_by=DEALER_DIMENSIONS,
        filters=LeadQuery.make_filters(dict(filters)),
        scope=Scope.everything(),
    )


def _own_dealer(counts: Subquery, own: AccessScope) -> ColumnElement[bool]:
    """Rows of the viewer's own dealers: by group or by dealer key, grant by grant."""

    def member(column: str, values: tuple[str, ...] | None) -> ColumnElement[bool]:
        return counts.c[column].in_(list(values)) if values else false()

    return or_(
        false(),
        *(
            or_(member("dealer_group_id", g.dealer_group_ids), member("dealer_id", g.dealer_ids))
            for g in own.grants
        ),
    )


def peer_counts_select(query: LeadQuery, brands: tuple[str, ...], own: AccessScope) -> Select[Any]:
    """One row per other dealer with ``COUNT_COLUMNS`` and no dealer key."""
    counts = group_counts_select(peer_query(query, brands)).subquery("dealer_counts")
    return select(*(counts.c[name] for name in COUNT_COLUMNS)).where(not_(_own_dealer(counts, own)))


def load_peer_counts(bind: Bind, query: LeadQuery, own: AccessScope) -> pl.DataFrame:
    """Counts of every other dealer of the viewer's brands (``COUNT_COLUMNS``, anonymous rows).

    ``query`` is the viewer's query (its scope decides their brands); ``own`` names the
    viewer's dealers by group or key (their dealer-group grants). Empty when the viewer
    has no leads in the period, or ``own`` names no dealer (grants by brand only have no
    "other dealers").
    """
    if own.is_nothing or any(g.dealer_group_ids is None and g.dealer_ids is None for g in own.grants):
        return pl.DataFrame(schema=COUNT_SCHEMA)
    brands_frame = fetch_frame(bind, viewer_brands_select(query), {"brand": pl.String()})
    brands = tuple(brands_frame["brand"].drop_nulls())
    if not brands:
        return pl.DataFrame(schema=COUNT_SCHEMA)
    return fetch_frame(bind, peer_counts_select(query, brands, own), COUNT_SCHEMA)
