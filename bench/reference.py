"""Hand-written DuckDB SQL for the numbers of each page: the limit Leadline is measured against.

Written the way a careful analyst would, straight from docs/metrics.md, over the same
per-lead facts table (the fastest source the warehouse holds): plain column names, DuckDB's
own count_if, no ORM. Each statement is paired with the Leadline loader that must return
the same rows, so the benchmark also proves the numbers equal.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from bench.pages import NO_CODES, NO_QUANTILES
from loaders.queries import (
    aggregates,
    close_reasons,
    detail_arrival,
    detail_close_reasons,
    detail_coverage,
    detail_delivery,
    detail_response,
    spend,
)
from loaders.request.query import LeadQuery

COUNTS = """count(*) AS leads, count_if(attempts > 0), count_if(first_response_min <= 60),
  count_if(attempts = 0 AND created_at <= $cutoff), count_if(distinct_actors >= 2), sum(attempts),
  count_if(is_delivered = 0), sum(has_appointment), sum(is_sold), sum(is_lost),
  count_if(is_lost = 1 AND attempts_to_close <= 1), sum(sold_gross_profit),
  quantile_cont(first_response_min, [0.5, 0.9])[1], quantile_cont(first_response_min, [0.5, 0.9])[2],
  count_if(best_result_rank >= 6), count_if(has_invalid_contact = 1 AND best_result_rank < 6),
  sum(phone_contacts), sum(coded_phone_contacts),
  count_if(first_response_bh_min <= 60),
  quantile_cont(first_response_bh_min, [0.5, 0.9])[1], quantile_cont(first_response_bh_min, [0.5, 0.9])[2],
  count_if(created_at <= $mature_before),
  count_if(created_at <= $mature_before AND sold_at IS NOT NULL AND sold_at < created_at + INTERVAL 90 DAY)"""
RESPONSE = """count(*), count_if(first_response_min <= 15),
  count_if(first_response_min > 15 AND first_response_min <= 60),
  count_if(first_response_min > 60 AND first_response_min <= 240),
  count_if(first_response_min > 240 AND first_response_min <= 1440),
  count_if(first_response_min > 1440), count_if(first_response_min IS NULL)"""
# The pages that show no response time ask for no quantiles (bench/pages.py NO_QUANTILES): nor does
# their reference, whose counts then hold NULL where the quantiles were.
COUNTS_WITHOUT_QUANTILES = re.sub(r"quantile_cont\((\w+), \[0\.5, 0\.9\]\)\[[12]\]", "NULL", COUNTS)
RESPONSE_BH = """count(*), count_if(first_response_bh_min <= 15),
  count_if(first_response_bh_min > 15 AND first_response_bh_min <= 60),
  count_if(first_response_bh_min > 60 AND first_response_bh_min <= 240),
  count_if(first_response_bh_min > 240), count_if(first_response_min IS NULL)"""
NO_CONTACT = """count(*),
  count_if(first_response_min IS NULL AND created_at <= $as_of - INTERVAL 1 DAY AND created_at > $as_of - INTERVAL 3 DAY),
  count_if(first_response_min IS NULL AND created_at <= $as_of - INTERVAL 3 DAY AND created_at > $as_of - INTERVAL 8 DAY),
  count_if(first_response_min IS NULL AND created_at <= $as_of - INTERVAL 8 DAY AND created_at > $as_of - INTERVAL 31 DAY),
  count_if(first_response_min IS NULL AND created_at <= $as_of - INTERVAL 31 DAY)"""
ATTEMPTS = """count(*), count_if(is_lost = 1), count_if(is_lost = 1 AND attempts_to_close = 0),
  count_if(is_lost = 1 AND attempts_to_close = 1), count_if(is_lost = 1 AND attempts_to_close = 2),
  count_if(is_lost = 1 AND attempts_to_close = 3), count_if(is_lost = 1 AND attempts_to_close >= 4)"""
FUNNEL = """count(*), count_if(first_response_min IS NOT NULL), count_if(best_result_rank >= 6),
  count_if(has_appointment = 1),
  count_if(has_test_drive = 1), count_if(has_quote = 1), count_if(is_sold = 1)"""
LOST_CODE = "CASE WHEN is_lost = 1 THEN close_reason_code END"
CHOICE_DIMENSIONS = (
    "brand",
    "market",
    "dealer_group_id",
    "dealer_id",
    "campaign_id",
    "channel",
    "source",
    "lead_type",
)

Loader = Callable[[Any, LeadQuery], pl.DataFrame]


@dataclasses.dataclass(frozen=True)
class Statement:
    """One hand-written query and the Leadline loader (engine, query) -> frame it must equal."""

    sql: str
    params: dict[str, Any]
    loader: Loader | None  # None: nothing of Leadline's returns these rows alone (names, spend)


def _zero_when_empty(sql: str) -> str:
    """Every ``count_if(...)`` as ``coalesce(count_if(...), 0)``: DuckDB's count_if gives NULL, not 0,
    when its condition is NULL on every row of a group (a group of never-contacted leads)."""
    out, rest = [], sql
    while (at := rest.find("count_if(")) >= 0:
        depth, end = 0, at + len("count_if")
        for end in range(at + len("count_if"), len(rest)):
            depth += {"(": 1, ")": -1}.get(rest[end], 0)
            if depth == 0:
                break
        out.append(rest[:at] + "coalesce(" + rest[at : end + 1] + ", 0)")
        rest = rest[end + 1 :]
    return "".join(out) + rest


def _where(query: LeadQuery) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"start": query.start, "stop": query.end + timedelta(days=1)}
    clauses = ["created_at >= $start", "created_at < $stop"]
    for i, (dim, values) in enumerate(query.filters):
        clauses.append(f"{dim} IN (SELECT unnest($f{i}))")
        params[f"f{i}"] = list(values)
    return " AND ".join(clauses), params


def _grouped(
    select: str, query: LeadQuery, keys: tuple[str, ...], extra_where: str = ""
) -> tuple[str, dict[str, Any]]:
    where, params = _where(query)
    cols = ", ".join(keys)
    head = f"{cols}, " if keys else ""
    group = f" GROUP BY {cols}" if keys else ""
    sql = (
        f"SELECT {head}{_zero_when_empty(select)} FROM leadline_lead_facts WHERE {where}{extra_where}{group}"
    )
    return sql, params


def counts_without_quantiles(engine: Any, query: LeadQuery) -> pl.DataFrame:
    """Leadline's counts of a metrics table with its quantiles NULL, as a page without response times has them."""
    counts = aggregates.load_group_counts(engine, query)
    return counts.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in aggregates.QUANTILE_COLUMNS)


def metrics_statements(
    query: LeadQuery, *, response_times: bool = True, close_reasons_and_spend: bool = True
) -> list[Statement]:
    """The counts, lost-by-reason and spend-allocation inputs of a metrics table (without the
    response-time quantiles when ``response_times`` is False, and only the counts when
    ``close_reasons_and_spend`` is False)."""
    g = query.group_by
    counts, p = _grouped(COUNTS if response_times else COUNTS_WITHOUT_QUANTILES, query, g)
    # conversion_window_days keeps its default (90) in the bench: leads of 90 days and more are mature.
    p = p | {"cutoff": query.as_of - timedelta(hours=24), "mature_before": query.as_of - timedelta(days=90)}
    counted = Statement(
        counts, p, aggregates.load_group_counts if response_times else counts_without_quantiles
    )
    if not close_reasons_and_spend:
        return [counted]
    lost, lp = _grouped("close_reason_code, count(*)", query, g, " AND is_lost = 1")
    lost = (
        lost.replace(f"GROUP BY {', '.join(g)}", f"GROUP BY {', '.join((*g, 'close_reason_code'))}")
        if g
        else (lost + " GROUP BY close_reason_code")
    )
    every = dataclasses.replace(query, filters=())
    n_c, np_ = _grouped("count(*)", every, ("campaign_id",), " AND campaign_id IS NOT NULL")
    gc, gp = _grouped("campaign_id, count(*)", query, g, " AND campaign_id IS NOT NULL")
    gc = (
        gc.replace(f"GROUP BY {', '.join(g)}", f"GROUP BY {', '.join((*g, 'campaign_id'))}")
        if g
        else (gc + " GROUP BY campaign_id")
    )
    spend_sql = (
        "SELECT campaign_id, sum(amount) FROM campaign_spend WHERE spend_date BETWEEN $s AND $e GROUP BY 1"
    )
    return [
        counted,
        Statement(lost, lp, close_reasons.load_lost_by_reason),
        Statement(spend_sql, {"s": query.start, "e": query.end}, spend.load_campaign_spend),
        Statement(n_c, np_, spend.load_campaign_leads),
        Statement(gc, gp, spend.load_group_campaign_leads),
        Statement("SELECT * FROM close_reasons", {}, None),
    ]


def detail_statements(label: str, query: LeadQuery) -> list[Statement]:
    """The aggregates behind one detail table (see bench/pages.py for the labels)."""
    dealers = Statement(
        "SELECT dealer_id, dealer_name, dealer_group_id, dealer_group_name FROM dealers", {}, None
    )
    as_of = {"as_of": query.as_of}
    if label == "response buckets":
        sql, p = _grouped(RESPONSE, query, query.group_by)
        return [Statement(sql, p, detail_response.fetch_response_bucket_counts)]
    if label == "response buckets bh":
        sql, p = _grouped(RESPONSE_BH, query, query.group_by)
        return [
            Statement(
                sql, p, lambda e, q: detail_response.fetch_response_bucket_counts(e, q, business_hours=True)
            )
        ]
    if label == "response buckets both":  # hand-written, the natural twin is one statement per split
        return detail_statements("response buckets bh", query) + detail_statements("response buckets", query)
    if label == "waiting now":
        return []  # no hand-written twin (business minutes until now): Leadline's time only
    if label == "arrival heat map":
        sql, p = _grouped(
            "count(*), count_if(first_response_min IS NOT NULL)", query, ("arrival_weekday", "arrival_hour")
        )
        return [Statement(sql, p, detail_arrival.fetch_arrival_counts)]
    if label == "no-contact ages":
        sql, p = _grouped(NO_CONTACT, query, ("dealer_id",))
        return [Statement(sql, p | as_of, detail_coverage.fetch_no_contact_by_age), dealers]
    if label == "duplicate contact":
        select = "count(*), count_if(first_response_min IS NOT NULL), count_if(distinct_actors >= 2)"
        sql, p = _grouped(select, query, ("dealer_id",))
        return [Statement(sql, p, detail_coverage.fetch_duplicate_contact_by_dealer), dealers]
    if label in ("by phone status", "by e-mail status"):
        status = "phone_status" if label == "by phone status" else "email_status"
        sql, p = _grouped(
            "count(*), count_if(first_response_min IS NOT NULL), count_if(best_result_rank >= 6)",
            query,
            (status,),
        )
        return [Statement(sql, p, lambda e, q: detail_response.fetch_follow_up_by_status(e, q, status))]
    if label == "has leads":
        where, p = _where(query)
        return [Statement(f"SELECT EXISTS (SELECT 1 FROM leadline_lead_facts WHERE {where})", p, None)]
    if label == "funnel":
        sql, p = _grouped(FUNNEL, query, query.group_by)
        return [Statement(sql, p, detail_response.fetch_funnel_counts)]
    if label in ("close reasons", "close reasons by campaign", "vague by dealer"):
        extra = ("dealer_id",) if label == "vague by dealer" else ()
        keys = (*query.group_by, *extra)
        sql, p = _grouped(f"{LOST_CODE}, count(*), count_if(is_lost = 1)", query, keys)
        if keys:
            sql = sql.replace(f" GROUP BY {', '.join(keys)}", "")
        sql += f" GROUP BY {', '.join((*keys, LOST_CODE))}"
        rows = Statement(sql, p, lambda e, q: detail_close_reasons.fetch_lost_code_cells(e, q, *extra))
        return [rows, Statement("SELECT * FROM close_reasons", {}, None)] + ([dealers] if keys else [])
    if label == "attempts before write-off":
        sql, p = _grouped(ATTEMPTS, query, ())
        return [Statement(sql, p, detail_close_reasons.fetch_attempt_counts)]
    if label in ("lead delivery", "undelivered runs"):
        sql, p = _grouped("count(*), count_if(is_delivered = 1)", query, ("source", "dealer_id", "week"))
        return [Statement(sql, p, detail_delivery.fetch_delivery_counts), dealers]
    if label == "filter choices":
        every = dataclasses.replace(query, filters=())
        where, params = _where(every)
        dims = ", ".join(CHOICE_DIMENSIONS)
        sets = ", ".join(f"({dim})" for dim in CHOICE_DIMENSIONS)
        sql = f"SELECT {dims} FROM leadline_lead_facts WHERE {where} GROUP BY GROUPING SETS ({sets})"
        return [
            Statement(sql, params, None),
            dealers,
            Statement("SELECT campaign_id, campaign_name FROM campaigns", {}, None),
        ]
    raise KeyError(label)


def page_statements(calls: list[tuple[str, LeadQuery]]) -> list[Statement]:
    """Every hand-written statement a page needs, for its (label, query) calls."""
    out: list[Statement] = []
    for label, query in calls:
        if label.startswith("metrics"):
            out += metrics_statements(
                query, response_times=NO_QUANTILES not in label, close_reasons_and_spend=NO_CODES not in label
            )
        else:
            out += detail_statements(label, query)
    return out


def normalised(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as sorted tuples of plain values (Decimal as float), to compare answers exactly."""

    def plain(v: Any) -> Any:
        return float(v) if isinstance(v, Decimal) else v

    return sorted((tuple(plain(v) for v in row) for row in rows), key=repr)
