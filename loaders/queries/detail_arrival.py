"""Grouped counts behind the arrival heat map: leads by weekday and hour of arrival in the
dealer's time zone. Post-processing: ``metrics/detail_arrival.py``.

A dealer's time zone is ``dealers.timezone`` when it names a zone Python knows, else UTC:
an unknown name would make the warehouse fail the whole query, so only known names are
passed to the SQL (as bound values) and the conversion is guarded by them.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

import polars as pl
from sqlalchemy import ColumnElement, Engine, Subquery, case, select

from loaders.contract.tables import dealers
from loaders.facts.lead_facts import lead_facts
from loaders.queries.detail_common import fetch_counts, key_names
from loaders.request.query import LeadQuery
from loaders.warehouse.fetch import fetch_frame
from loaders.warehouse.sql_time import hour_of_day, iso_weekday, local_time


def known_dealer_timezones(engine: Engine) -> tuple[str, ...]:
    """The distinct ``dealers.timezone`` values that are IANA zone names (others fall back to UTC)."""
    stmt = select(dealers.c.timezone).where(dealers.c.timezone.is_not(None)).distinct()
    names = fetch_frame(engine, stmt, {"timezone": pl.String()})["timezone"].to_list()
    valid = available_timezones()
    return tuple(sorted(name for name in names if name in valid))


def fetch_arrival_counts(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """Per group, weekday (1 = Monday) and hour of local arrival: ``leads`` and ``contacted``."""
    facts = lead_facts(query)
    keys = key_names(query)
    if "arrival_weekday" in facts.c:
        # The materialised facts (loaders/facts/build.py) hold the same weekday and hour precomputed.
        arrivals = select(
            *(facts.c[name] for name in keys),
            facts.c.arrival_weekday.label("weekday"),
            facts.c.arrival_hour.label("hour"),
            facts.c.first_response_min,
        ).subquery("arrivals")
    else:
        arrivals = _arrivals_on_the_fly(engine, facts, keys)
    counts = {"contacted": arrivals.c.first_response_min.is_not(None)}
    key_types = {"weekday": pl.Int64(), "hour": pl.Int64()}
    return fetch_counts(engine, arrivals, (*keys, "weekday", "hour"), counts, key_types)


def _arrivals_on_the_fly(engine: Engine, facts: Subquery, keys: tuple[str, ...]) -> Subquery:
    """Keys, weekday, hour and first_response_min per lead, local time computed by joining dealers."""
    zones = known_dealer_timezones(engine)
    local: ColumnElement[Any] = facts.c.created_at
    if zones:
        local = case(
            (dealers.c.timezone.in_(zones), local_time(facts.c.created_at, dealers.c.timezone)),
            else_=facts.c.created_at,
        )
    return (
        select(
            *(facts.c[name] for name in keys),
            iso_weekday(local).label("weekday"),
            hour_of_day(local).label("hour"),
            facts.c.first_response_min,
        )
        .select_from(facts.outerjoin(dealers, dealers.c.dealer_id == facts.c.dealer_id))
        .subquery("arrivals")
    )
