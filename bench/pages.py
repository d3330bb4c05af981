"""What each dashboard page asks the warehouse for on a filter change, as (label, call) pairs.

Mirrors pages/*.py: every page shows KPI tiles (the whole lead set, and the previous period
of equal length for the deltas) and its own tables. The sidebar's filter choices come with
every page view. A call takes the table function and its LeadQuery, so the benchmark can run
it cold (a fresh engine), warm (through dashboard/data/cached.py's caches) or not at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from dashboard.data import detail_tables
from dashboard.data.tables import has_leads, metrics_table
from loaders.request.query import LeadQuery

K = 5  # the default minimum group size


@dataclasses.dataclass(frozen=True)
class Call:
    """One table a page shows: ``table(engine, query, K)``."""

    label: str
    table: Callable[..., Any]
    query: LeadQuery


@dataclasses.dataclass(frozen=True)
class Scope:
    """A view: a period and filters (the filters of the issue: one brand, group, source)."""

    name: str
    start: date
    end: date
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def query(self, group_by: tuple[str, ...] = (), *, previous: bool = False) -> LeadQuery:
        """The page's LeadQuery; ``previous``: the period of equal length just before."""
        start, end = self.start, self.end
        if previous:
            length = end - start + timedelta(days=1)
            start, end = start - length, end - length
        as_of = datetime.combine(self.end + timedelta(days=1), time(6))
        return LeadQuery(start, end, as_of, group_by=group_by, filters=self.filters)


def kpis(scope: Scope) -> list[Call]:
    """The KPI tiles and their deltas, and the sidebar's filter choices."""
    return [
        Call("metrics", metrics_table, scope.query()),
        Call("metrics previous", metrics_table, scope.query(previous=True)),
        Call("filter choices", detail_tables.dimension_choices, scope.query()),
    ]


def page_calls(page: str, scope: Scope) -> list[Call]:
    """Every table ``page`` loads for ``scope``."""
    q = scope.query
    own: dict[str, list[Call]] = {
        "overview": [
            Call("metrics by week", metrics_table, q(("week",))),
            Call("metrics by market", metrics_table, q(("market",))),
        ],
        "follow-up": [
            Call("metrics by group", metrics_table, q(("dealer_group_id",))),
            Call("metrics by dealer", metrics_table, q(("dealer_id",))),
            Call("response buckets", detail_tables.response_buckets, q()),
            Call("arrival heat map", detail_tables.arrival_heat_map, q()),
            Call("no-contact ages", detail_tables.no_contact_by_dealer_age, q()),
            Call("duplicate contact", detail_tables.duplicate_contact_by_dealer, q()),
            Call("by phone status", detail_tables.follow_up_by_phone_status, q()),
            Call("by e-mail status", detail_tables.follow_up_by_email_status, q()),
        ],
        "close reasons": [
            Call("has leads", has_leads, q()),
            Call("close reasons", detail_tables.close_reasons, q()),
            Call("vague by dealer", detail_tables.vague_reasons_by_dealer, q()),
            Call("attempts before write-off", detail_tables.attempts_before_write_off, q()),
        ],
        "campaigns": [
            Call("has leads", has_leads, q()),
            Call("metrics by campaign", metrics_table, q(("campaign_id",))),
            Call("funnel", detail_tables.funnel, q()),
            Call("close reasons by campaign", detail_tables.close_reasons, q(("campaign_id",))),
        ],
        "delivery": [
            Call("metrics by source, dealer", metrics_table, q(("source", "dealer_id"))),
            Call("lead delivery", detail_tables.lead_delivery, q()),
            Call("undelivered runs", detail_tables.undelivered_runs, q()),
        ],
    }
    return kpis(scope) + own[page]


PAGES = ("overview", "follow-up", "close reasons", "campaigns", "delivery")


def scopes(end: date, brand: str, group: str, source: str) -> list[Scope]:
    """Default, one brand, one dealer group and one source; each over a year and a quarter."""
    periods = {"year": end - timedelta(days=364), "quarter": end - timedelta(days=90)}
    filters: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
        "default": (),
        "brand": LeadQuery.make_filters({"brand": [brand]}),
        "group": LeadQuery.make_filters({"dealer_group_id": [group]}),
        "source": LeadQuery.make_filters({"source": [source]}),
    }
    return [
        Scope(f"{name} {period}", start, end, fs)
        for name, fs in filters.items()
        for period, start in periods.items()
    ]
