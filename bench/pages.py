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

import polars as pl
from sqlalchemy import Engine

from dashboard.data import detail_tables
from dashboard.data.tables import has_leads, metrics_tables
from loaders.facts.state import one_check_per_read
from loaders.request.query import LeadQuery

K = 5  # the default minimum group size
CHOICES = "filter choices"
Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]  # a table function made a cached one


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


# Pages that show no response time ask their tables without the quantiles (view_tables(...,
# response_times=False)); the hand-written reference then leaves them out too (bench/reference.py).
WITHOUT_RESPONSE_TIMES = frozenset({"close reasons", "campaigns", "delivery"})
WITHOUT_PEOPLE = frozenset({"campaigns", "delivery"})  # no "how people worked" metric: no team sizes
NO_QUANTILES = " (no response times)"  # in the label of such a metrics call
# Pages that show no vague-close rate, spend or cost ask without them (close_reasons_and_spend=False).
WITHOUT_CODES = frozenset({"follow-up", "delivery"})
NO_CODES = " (no close reasons or spend)"  # in the label of such a metrics call


def metrics_tables_without_response_times(
    engine: Engine, queries: tuple[LeadQuery, ...], k: int
) -> tuple[pl.DataFrame, ...]:
    """``metrics_tables`` as Close reasons asks it (no response times)."""
    return metrics_tables(engine, queries, k, response_times=False)


def metrics_tables_without_people(
    engine: Engine, queries: tuple[LeadQuery, ...], k: int
) -> tuple[pl.DataFrame, ...]:
    """``metrics_tables`` as Campaigns and Delivery ask it (no "how people worked" metric)."""
    return metrics_tables(engine, queries, k, people=False)


def metrics_tables_sharing_team_flags(
    engine: Engine, queries: tuple[LeadQuery, ...], k: int
) -> tuple[pl.DataFrame, ...]:
    """``metrics_tables`` as Follow-up asks it (its detail tables reuse the small-team flags; no
    close reasons or spend; no response times by dealer group)."""
    return metrics_tables(
        engine,
        queries,
        k,
        share_team_flags=True,
        close_reasons_and_spend=False,
        timed_groupings=((), ("dealer_id",)),
    )


def metrics_tables_for_overview(
    engine: Engine, queries: tuple[LeadQuery, ...], k: int
) -> tuple[pl.DataFrame, ...]:
    """``metrics_tables`` as the Overview asks it by default (its trend shows the follow-up rate:
    the weeks without their exact quantiles, close reasons and spend; the tiles and the markets with them)."""
    not_weekly = ((), ("market",))
    return metrics_tables(engine, queries, k, timed_groupings=not_weekly, coded_groupings=not_weekly)


def metrics_tables_for_delivery(
    engine: Engine, queries: tuple[LeadQuery, ...], k: int
) -> tuple[pl.DataFrame, ...]:
    """``metrics_tables`` as Delivery asks it (no "how people worked" metric, close reason or spend)."""
    return metrics_tables(engine, queries, k, people=False, close_reasons_and_spend=False)


def buckets_by_group_and_dealer(engine: Engine, query: LeadQuery, k: int) -> tuple[pl.DataFrame, ...]:
    """Follow-up's response-time buckets: ``query``'s, and by dealer, from one statement."""
    by_dealer = dataclasses.replace(query, group_by=("dealer_id",))
    return detail_tables.response_bucket_tables(engine, query, k, also=(by_dealer,))


def kpis(scope: Scope, *group_bys: tuple[str, ...], page: str = "overview") -> list[Call]:
    """The KPI tiles and their deltas (and the page's tables by ``group_bys`` asked with them, as
    ``dashboard.data.cached.view_tables`` does: one scan), and the sidebar's filter choices."""
    together = (scope.query(), scope.query(previous=True), *map(scope.query, group_bys))
    label = "metrics " + ", ".join(["totals", "previous", *("+".join(g) for g in group_bys)])
    table: Callable[..., Any] = metrics_tables
    if page == "delivery":
        table, label = metrics_tables_for_delivery, label + NO_QUANTILES + NO_CODES
    elif page in WITHOUT_PEOPLE:
        table, label = metrics_tables_without_people, label + NO_QUANTILES
    elif page in WITHOUT_RESPONSE_TIMES:
        table, label = metrics_tables_without_response_times, label + NO_QUANTILES
    elif page == "overview":
        table = metrics_tables_for_overview
    elif page == "follow-up":  # its detail tables reuse the small-team flags of this scan
        table, label = metrics_tables_sharing_team_flags, label + NO_CODES
    return [
        Call(label, table, together),
        Call(CHOICES, detail_tables.dimension_choices, scope.query()),
    ]


def queries_of(call: Call) -> tuple[LeadQuery, ...]:
    """The LeadQuery of a call, or the several of a ``metrics_tables`` call."""
    return call.query if isinstance(call.query, tuple) else (call.query,)


def page_calls(page: str, scope: Scope) -> list[Call]:
    """Every table ``page`` loads for ``scope``."""
    q = scope.query
    own: dict[str, list[Call]] = {
        "overview": [],  # the weekly trend and the breakdown come with the totals (kpis)
        "follow-up": [  # the tables by dealer group and by dealer come with the totals (kpis)
            Call("waiting now", detail_tables.waiting_now, q()),
            # By dealer group and by dealer, one statement; the reach funnel comes from the tiles'
            # metrics table (no statement of its own).
            Call("response buckets both", buckets_by_group_and_dealer, q(("dealer_group_id",))),
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
        "follow-up": (("dealer_group_id",), ("dealer_id",)),
        "campaigns": (("campaign_id",),),
        "delivery": (("source", "dealer_id"),),
    }.get(page, ())
    return kpis(scope, *together, page=page) + own[page]


def view_page(engine: Engine | None, calls: list[Call], table: Wrapper | None = None) -> None:
    """Load ``calls`` as the app does: one run is one read (one look at ``leads``: dashboard/app.py
    main), the sidebar's filter choices first, then the page's tables.
    ``table`` wraps each table function (the dashboard's caches); None: ``fn(engine, query, K)``."""
    with one_check_per_read():
        for call in sorted(calls, key=lambda c: c.label != CHOICES):
            _load(engine, call, table)


def _load(engine: Engine | None, call: Call, table: Wrapper | None) -> Any:
    return call.table(engine, call.query, K) if table is None else table(call.table)(call.query, K)


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
