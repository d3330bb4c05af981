"""The naive approach many dashboards take: read lead-level rows into the app, compute there.

For a page: read the period's leads (with dealer), their activities and outcomes into
Polars, derive per-lead facts, and compute each of the page's metrics groupings (counts,
exact median and p90 response time, duplicates, undelivered). The numbers are checked
against Leadline's, so the speed-up compares equal work. Bench-only code: it pulls
pseudonymous actor keys into the process, which the product never does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import polars as pl

from loaders.request.query import LeadQuery

CHECKED = (
    "leads",
    "contacted",
    "duplicate_contact",
    "undelivered",
    "median_first_response_min",
    "p90_first_response_min",
)


def read_rows(con: duckdb.DuckDBPyConnection, query: LeadQuery) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lead rows of the period (consent not refused) and their activities, as Polars frames."""
    params = [query.start, query.end + timedelta(days=1)]
    leads = con.sql(
        """SELECT l.lead_id, l.created_at, l.delivered_at, l.brand, l.source, l.dealer_id, l.lead_type, l.campaign_id,
                  coalesce(d.dealer_group_id, 'unknown') AS dealer_group_id, coalesce(d.market, 'unknown') AS market,
                  CAST(date_trunc('week', l.created_at) AS DATE) AS week
           FROM leads AS l LEFT JOIN dealers AS d ON d.dealer_id = l.dealer_id
           WHERE l.created_at >= ? AND l.created_at < ? AND l.consent IS NOT FALSE""",
        params=params,
    ).to_arrow_table()
    activities = con.sql(
        """SELECT a.lead_id, a.occurred_at, a.direction, a.automated, a.actor_key FROM lead_activities AS a
           WHERE a.lead_id IN (SELECT lead_id FROM leads WHERE created_at >= ? AND created_at < ?)""",
        params=params,
    ).to_arrow_table()
    return pl.DataFrame(pl.from_arrow(leads)), pl.DataFrame(pl.from_arrow(activities))


def per_lead(leads: pl.DataFrame, activities: pl.DataFrame, query: LeadQuery) -> pl.DataFrame:
    """Each lead of the query's filters with first response (minutes), attempts and distinct actors."""
    for dim, values in query.filters:
        leads = leads.filter(pl.col(dim).is_in(list(values)))
    contacts = (
        activities.join(leads.select("lead_id", "created_at"), on="lead_id")
        .filter(
            (pl.col("direction") == "outbound")
            & pl.col("automated").fill_null(False).not_()
            & (pl.col("occurred_at") >= pl.col("created_at"))
        )
        .group_by("lead_id")
        .agg(
            first=pl.col("occurred_at").min(),
            attempts=pl.len(),
            actors=pl.col("actor_key").drop_nulls().n_unique(),
        )
    )
    return leads.join(contacts, on="lead_id", how="left").with_columns(
        first_response_min=(pl.col("first") - pl.col("created_at")).dt.total_microseconds() / 60e6,
        attempts=pl.col("attempts").fill_null(0),
        actors=pl.col("actors").fill_null(0),
    )


def grouped(facts: pl.DataFrame, group_by: tuple[str, ...]) -> pl.DataFrame:
    """The checked counts per group (one row without grouping)."""
    aggs = [
        pl.len().alias("leads"),
        (pl.col("attempts") > 0).sum().alias("contacted"),
        (pl.col("actors") >= 2).sum().alias("duplicate_contact"),
        pl.col("delivered_at").is_null().sum().alias("undelivered"),
        pl.col("first_response_min").quantile(0.5, interpolation="linear").alias("median_first_response_min"),
        pl.col("first_response_min").quantile(0.9, interpolation="linear").alias("p90_first_response_min"),
    ]
    if not group_by:
        return facts.select(aggs)
    return facts.group_by(list(group_by)).agg(aggs)


def naive_page(con: duckdb.DuckDBPyConnection, queries: list[LeadQuery]) -> dict[LeadQuery, pl.DataFrame]:
    """Every metrics grouping of a page computed the naive way (rows read once per period)."""
    out: dict[LeadQuery, pl.DataFrame] = {}
    cache: dict[Any, tuple[pl.DataFrame, pl.DataFrame]] = {}
    for query in queries:
        key = (query.start, query.end)
        if key not in cache:
            cache[key] = read_rows(con, query)
        out[query] = grouped(per_lead(*cache[key], query), query.group_by)
    return out


def same_numbers(naive: pl.DataFrame, leadline_counts: pl.DataFrame, group_by: tuple[str, ...]) -> bool:
    """True when the naive numbers equal Leadline's group counts (quantiles to 1e-9 relative)."""
    columns = [*group_by, *CHECKED]
    a = naive.select(columns).sort(list(group_by) or "leads")
    b = leadline_counts.select(columns).sort(list(group_by) or "leads")
    if a.height != b.height:
        return False
    for name in columns:
        x, y = a[name].to_list(), b[name].to_list()
        if name.endswith("_min"):
            ok = all(
                (p is None and q is None)
                or (p is not None and q is not None and abs(p - q) <= 1e-9 * max(1, abs(q)))
                for p, q in zip(x, y, strict=True)
            )
        else:
            ok = [int(v) if isinstance(v, int) else v for v in x] == y
        if not ok:
            return False
    return True
