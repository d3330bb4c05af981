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
from dashboard.data.tables import has_leads, metrics_table, metrics_tables
from loaders.request.query import LeadQuery

K = 5  # the default minimum group size


@dataclasses.dataclass(frozen=True)
class Call:
    """One table a page shows: ``table(engine, query, K)``."""

    label: str
    table: Callable[..., Any]
    query: Any  # a LeadQuery, or a tuple of them for ``metrics_tables``


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


def kpis(scope: Scope, *group_bys: tuple[str, ...]) -> list[Call]:
    """The KPI tiles and their deltas (and the page's tables by ``group_bys`` asked with them, as
    ``dashboard.data.cached.view_tables`` does: one scan), and the sidebar's filter choices."""
    together = (scope.query(), scope.query(previous=True), *map(scope.query, group_bys))
    return [
        Call(
            "metrics " + ", ".join(["totals", "previous", *("+".join(g) for g in group_bys)]),
            metrics_tables,
            together,
        ),
        Call("filter choices", detail_tables.dimension_choices, scope.query()),
    ]


def queries_of(call: Call) -> tuple[LeadQuery, ...]:
    """The LeadQuery of a call, or the several of a ``metrics_tables`` call."""
    return call.query if isinstance(call.query, tuple) else (call.query,)


def page_calls(page: str, scope: Scope) -> list[Call]:
    """Every table ``page`` loads for ``scope``."""
    q = scope.query
    own: dict[str, list[Call]] = {
        "overview": [],  # the weekly trend and the breakdown come with the totals (kpis)
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
            Call("funnel", detail_tables.funnel, q()),
            Call("close reasons by campaign", detail_tables.close_reasons, q(("campaign_id",))),
        ],
        "delivery": [
            Call("lead delivery", detail_tables.lead_delivery, q()),
            Call("undelivered runs", detail_tables.undelivered_runs, q()),
        ],
    }
    together = {
        "overview": (("week",), ("market",)),
        "campaigns": (("campaign_id",),),
        "delivery": (("source", "dealer_id"),),
    }.get(page, ())
    return kpis(scope, *together) + own[page]


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
