"""One hand-written DuckDB statement per page: the floor a page's data could reach in one scan.

bench/reference.py writes each table's numbers as the best statement for that table; this module
writes a whole page as ONE statement over the facts: the union of the page's periods with a
period number, ``GROUPING SETS`` for every grouping the page draws (the KPI totals of both
periods, the trend and breakdowns, the detail tables, the lost-by-code and per-campaign counts
of the spend allocation, the filter choices), and the union of the aggregates they need, each
quantile pair as one ``quantile_cont(x, [0.5, 0.9])``. Written for the unfiltered views (a
filter would narrow the filter choices and the spend's N_c too, which then need other rows).
Team sizes (a join with the activities) are left out, as in the per-table references.

Before any time is reported, the rows of every metrics table's grouping set are checked equal
to Leadline's ``load_group_counts`` for that table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.pages import NO_CODES, NO_QUANTILES
from bench.reference import (
    ATTEMPTS,
    CHOICE_DIMENSIONS,
    COUNTS,
    COUNTS_WITHOUT_QUANTILES,
    FUNNEL,
    LOST_CODE,
    NO_CONTACT,
    RESPONSE,
    RESPONSE_BH,
    Statement,
    _zero_when_empty,
    counts_without_quantiles,
    normalised,
)
from loaders.queries import aggregates
from loaders.request.query import LeadQuery

DETAIL_SETS: dict[str, tuple[tuple[str, ...], str]] = {
    "response buckets": ((), RESPONSE),
    "response buckets bh": ((), RESPONSE_BH),
    "response buckets both": ((), RESPONSE + ", " + RESPONSE_BH),
    "arrival heat map": (("arrival_weekday", "arrival_hour"), "count_if(first_response_min IS NOT NULL)"),
    "no-contact ages": (("dealer_id",), NO_CONTACT),
    "duplicate contact": (
        ("dealer_id",),
        "count_if(first_response_min IS NOT NULL), count_if(distinct_actors >= 2)",
    ),
    "by phone status": (("phone_status",), "count_if(best_result_rank >= 6)"),
    "by e-mail status": (("email_status",), "count_if(best_result_rank >= 6)"),
    "funnel": ((), FUNNEL),
    "attempts before write-off": ((), ATTEMPTS),
    "lead delivery": (("source", "dealer_id", "week"), "count_if(is_delivered = 1)"),
    "close reasons": (("lost_code",), "count_if(is_lost = 1)"),
    "close reasons by campaign": (("lost_code",), "count_if(is_lost = 1)"),
    "undelivered runs": (("source", "dealer_id", "week"), "count_if(is_delivered = 1)"),
    "vague by dealer": (("dealer_id", "lost_code"), "count_if(is_lost = 1)"),
}


def page_statement(calls: list[tuple[str, LeadQuery]]) -> tuple[Statement, list[LeadQuery], bool]:
    """The page's one statement (DuckDB SQL), the metrics queries whose rows it holds, and whether
    it computes the response-time quantiles."""
    metrics = [q for label, q in calls if label.startswith("metrics")]
    current = next(q for label, q in calls if not label.startswith("metrics"))
    periods = sorted({(q.start, q.end) for _, q in calls})
    sets: list[tuple[str, ...]] = []
    selects: list[str] = []
    # A page without close reasons or spend asks no codes (bench/pages.py NO_CODES).
    with_codes = any(label.startswith("metrics") and NO_CODES not in label for label, _ in calls)
    for q in metrics:
        sets.append(("p", *q.group_by))
        if with_codes:
            sets += [("p", *q.group_by, "close_reason_code"), ("p", *q.group_by, "campaign_id")]
    if with_codes:
        sets.append(("p", "campaign_id"))  # N_c: every lead of the period per campaign (no filter here)
    # A page without response times asks no quantiles (bench/pages.py NO_QUANTILES).
    with_quantiles = any(label.startswith("metrics") and NO_QUANTILES not in label for label, _ in calls)
    selects.append(COUNTS if with_quantiles else COUNTS_WITHOUT_QUANTILES)
    for label, q in calls:
        if label in DETAIL_SETS:
            keys, select = DETAIL_SETS[label]
            sets.append(("p", *q.group_by, *keys))
            selects.append(select)
        elif label == "filter choices":
            sets += [("p", dim) for dim in CHOICE_DIMENSIONS]
    sets = list(dict.fromkeys(tuple(dict.fromkeys(s)) for s in sets))
    columns = list(dict.fromkeys(c for s in sets for c in s))
    flags = ", ".join(f"grouping({c}) AS g_{c}" for c in columns[1:])
    aggregates_sql = _zero_when_empty(", ".join(dict.fromkeys(selects)))
    number = " ".join(
        f"WHEN created_at >= $s{i} AND created_at < $e{i} THEN {i}" for i in range(len(periods))
    )
    where = " OR ".join(f"(created_at >= $s{i} AND created_at < $e{i})" for i in range(len(periods)))
    sql = (
        f"SELECT {', '.join(columns)}, {flags}, count(*) AS n, {aggregates_sql} "
        f"FROM (SELECT *, CASE {number} END AS p, {LOST_CODE} AS lost_code FROM leadline_lead_facts "
        f"WHERE {where}) GROUP BY GROUPING SETS ({', '.join('(' + ', '.join(s) + ')' for s in sets)})"
    )
    params: dict[str, Any] = {
        "cutoff": current.as_of - timedelta(hours=24),
        "mature_before": current.as_of - timedelta(days=90),
        "as_of": current.as_of,
    }
    for i, (start, end) in enumerate(periods):
        params |= {f"s{i}": start, f"e{i}": end + timedelta(days=1)}
    used = {name: value for name, value in params.items() if f"${name}" in sql}  # DuckDB refuses extras
    return Statement(sql, used, None), metrics, with_quantiles


def check_page_statement(
    engine: Any, raw: Any, statement: Statement, metrics: list[LeadQuery], with_quantiles: bool = True
) -> None:
    """Every metrics table's set in the one statement's rows equals Leadline's counts for that table
    (its quantiles NULL when the statement has none)."""
    cursor = raw.execute(statement.sql, statement.params)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    periods = sorted({(q.start, q.end) for q in metrics})
    flags = {n: i for i, n in enumerate(names) if n.startswith("g_")}
    first = names.index("n") + 1  # the COUNTS columns follow, in load_group_counts' order
    width = len(aggregates.COUNT_COLUMNS)
    for q in metrics:
        wanted = {f"g_{c}" for c in q.group_by}
        period = periods.index((q.start, q.end))
        mine = [
            (*(r[names.index(c)] for c in q.group_by), *r[first : first + width])
            for r in rows
            if r[0] == period and all(r[i] == (0 if f in wanted else 1) for f, i in flags.items())
        ]
        ours = (
            aggregates.load_group_counts(engine, q) if with_quantiles else counts_without_quantiles(engine, q)
        )
        if normalised(mine) != normalised(ours.rows()):
            raise AssertionError(f"one-statement reference and Leadline differ for {q}")
