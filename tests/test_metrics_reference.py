"""metrics_table against a hand-written SQL answer on a generated demo warehouse.

The reference query below is plain DuckDB SQL written straight from docs/metrics.md,
sharing no code with loaders/ or metrics/: if the two disagree, one of them misreads
the definitions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime

import polars as pl
import pytest
from sqlalchemy import Engine, create_engine

from dashboard.data.tables import metrics_table
from loaders.demo.generate import generate_demo
from loaders.request.query import LeadQuery
from metrics.registry import METRIC_COLUMNS

START, END = date(2025, 3, 1), date(2025, 5, 31)
# A period that ends more than 90 days before as_of, partly: conversion within 90 days has mature leads.
AS_OF = datetime(2025, 6, 1, 6, 0)  # the last day's leads are younger than 24 h: no_contact must skip them

REFERENCE_SQL = """
WITH lead_set AS (
    SELECT l.lead_id, l.created_at, l.delivered_at, l.campaign_id,
           COALESCE(d.dealer_group_id, 'unknown') AS dealer_group_id
    FROM leads AS l LEFT JOIN dealers AS d ON d.dealer_id = l.dealer_id
    WHERE l.created_at >= $start_ts AND l.created_at < $stop_ts AND l.consent IS NOT FALSE
),
qualifying AS (
    SELECT a.lead_id, a.occurred_at, a.actor_key, a.channel, a.result_code,
        -- the result-code taxonomy: the result_codes table, or the shipped default when it is empty
        (SELECT min(t.category) FROM result_codes AS t WHERE trim(t.code) = trim(a.result_code)) AS own_category,
        CASE WHEN trim(a.result_code) IN ('reached', 'callback_requested', 'not_interested') THEN 'reached'
             WHEN trim(a.result_code) = 'appointment_set' THEN 'appointment'
             WHEN trim(a.result_code) IN ('no_answer', 'voicemail', 'busy') THEN 'not_reached'
             WHEN trim(a.result_code) IN ('wrong_number', 'number_not_in_service', 'email_bounced')
                  THEN 'invalid_contact' END AS default_category
    FROM lead_activities AS a JOIN lead_set AS s ON s.lead_id = a.lead_id
    WHERE a.direction = 'outbound' AND a.automated IS NOT TRUE AND a.occurred_at >= s.created_at
),
zones AS (
    SELECT d.dealer_id, d.market,
        CASE WHEN d.timezone IN (SELECT name FROM pg_timezone_names()) THEN d.timezone ELSE 'UTC' END AS tz
    FROM dealers AS d
),
hours AS (  -- valid rows, or the default hours for a dealer without any
    SELECT dealer_id, weekday, opens_min, closes_min FROM dealer_opening_hours
    WHERE weekday BETWEEN 1 AND 7 AND opens_min >= 0 AND closes_min > opens_min AND closes_min <= 1440
    UNION ALL
    SELECT z.dealer_id, v.weekday, v.opens_min, v.closes_min
    FROM zones AS z, (VALUES (1, 480, 1080), (2, 480, 1080), (3, 480, 1080), (4, 480, 1080),
                             (5, 480, 1080), (6, 540, 780)) AS v(weekday, opens_min, closes_min)
    WHERE z.dealer_id NOT IN (SELECT dealer_id FROM dealer_opening_hours)
),
open_minutes AS (  -- every open minute of each weekday, once: overlapping rows count once
    SELECT DISTINCT h.dealer_id, h.weekday, m.minute
    FROM hours AS h, range(h.opens_min, h.closes_min) AS m(minute)
),
open_runs AS (  -- consecutive open minutes as intervals (gaps and islands)
    SELECT dealer_id, weekday, min(minute) AS opens_min, max(minute) + 1 AS closes_min
    FROM (SELECT *, minute - row_number() OVER (PARTITION BY dealer_id, weekday ORDER BY minute) AS run
          FROM open_minutes)
    GROUP BY dealer_id, weekday, run
),
closed AS (
    SELECT z.dealer_id, c.closed_on FROM dealer_closed_days AS c
    JOIN zones AS z ON z.dealer_id = c.dealer_id OR (c.dealer_id IS NULL AND c.market = z.market)
),
first_contact AS (SELECT lead_id, min(occurred_at) AS first_at FROM qualifying GROUP BY lead_id),
responses AS (
    SELECT s.lead_id, l.dealer_id,
        timezone(z.tz, timezone('UTC', s.created_at)) AS local_a,
        timezone(z.tz, timezone('UTC', f.first_at)) AS local_b
    FROM lead_set AS s JOIN leads AS l ON l.lead_id = s.lead_id
    JOIN zones AS z ON z.dealer_id = l.dealer_id
    JOIN first_contact AS f ON f.lead_id = s.lead_id
),
response_days AS (
    SELECT r.*, CAST(g.day AS DATE) AS day
    FROM responses AS r, generate_series(CAST(CAST(r.local_a AS DATE) AS TIMESTAMP),
                                         CAST(CAST(r.local_b AS DATE) AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
),
business AS (
    SELECT r.lead_id, coalesce(sum(greatest(0, date_diff('microsecond',
            greatest(d.local_a, d.day + o.opens_min * INTERVAL 1 MINUTE),
            least(d.local_b, d.day + o.closes_min * INTERVAL 1 MINUTE)) / 60e6))
          FILTER (WHERE o.opens_min IS NOT NULL), 0) AS bh_min  -- GREATEST and LEAST skip NULLs
    FROM responses AS r
    LEFT JOIN response_days AS d ON d.lead_id = r.lead_id
        AND NOT EXISTS (SELECT 1 FROM closed AS c WHERE c.dealer_id = d.dealer_id AND c.closed_on = d.day)
    LEFT JOIN open_runs AS o ON o.dealer_id = d.dealer_id AND o.weekday = isodow(d.day)
    GROUP BY r.lead_id
),
categorised AS (
    SELECT *, CASE WHEN (SELECT count(*) FROM result_codes) > 0 THEN own_category ELSE default_category END
        AS category
    FROM qualifying
),
per_lead AS (
    SELECT s.*, o.sold_at, b.bh_min, o.closed_at, o.appointment_at, o.gross_profit, o.close_reason_code,
        (SELECT count(*) FROM qualifying AS q WHERE q.lead_id = s.lead_id) AS contacts,
        EXISTS (SELECT 1 FROM categorised AS q WHERE q.lead_id = s.lead_id
                AND q.category IN ('reached', 'appointment')) AS is_reached,
        EXISTS (SELECT 1 FROM categorised AS q WHERE q.lead_id = s.lead_id
                AND q.category = 'invalid_contact') AS has_invalid,
        (SELECT count(*) FROM qualifying AS q WHERE q.lead_id = s.lead_id AND q.channel = 'phone') AS calls,
        (SELECT count(*) FROM qualifying AS q WHERE q.lead_id = s.lead_id AND q.channel = 'phone'
           AND q.result_code IS NOT NULL AND trim(q.result_code) <> '') AS coded_calls,
        (SELECT count(DISTINCT q.actor_key) FROM qualifying AS q WHERE q.lead_id = s.lead_id) AS actors,
        (SELECT count(*) FROM qualifying AS q
          WHERE q.lead_id = s.lead_id AND q.occurred_at <= o.closed_at) AS contacts_before_close,
        date_diff('microsecond', s.created_at,
            (SELECT min(q.occurred_at) FROM qualifying AS q WHERE q.lead_id = s.lead_id)) / 60e6 AS response_min,
        (o.closed_at IS NOT NULL AND o.sold_at IS NULL) AS is_lost,
        (o.closed_at IS NOT NULL AND o.sold_at IS NULL AND (
            o.close_reason_code IS NULL OR trim(o.close_reason_code) = ''
            OR r.code IS NULL OR r.is_vague)) AS is_vague_lost
    FROM lead_set AS s
    LEFT JOIN lead_outcomes AS o ON o.lead_id = s.lead_id
    LEFT JOIN close_reasons AS r ON r.code = o.close_reason_code
    LEFT JOIN business AS b ON b.lead_id = s.lead_id
),
period_spend AS (
    SELECT campaign_id, sum(amount) AS s_c FROM campaign_spend
    WHERE spend_date BETWEEN $start AND $end GROUP BY campaign_id
),
campaign_leads AS (
    SELECT campaign_id, count(*) AS n_c FROM leads
    WHERE created_at >= $start_ts AND created_at < $stop_ts AND consent IS NOT FALSE
      AND campaign_id IS NOT NULL
    GROUP BY campaign_id
),
allocated AS (
    SELECT g.dealer_group_id, sum(coalesce(p.s_c, 0) * g.n / c.n_c) AS spend
    FROM (SELECT dealer_group_id, campaign_id, count(*) AS n FROM lead_set
          WHERE campaign_id IS NOT NULL GROUP BY ALL) AS g
    JOIN campaign_leads AS c ON c.campaign_id = g.campaign_id
    LEFT JOIN period_spend AS p ON p.campaign_id = g.campaign_id
    GROUP BY g.dealer_group_id
),
counts AS (
    SELECT dealer_group_id,
        count(*) AS leads,
        count(*) FILTER (WHERE contacts > 0) AS contacted,
        quantile_cont(response_min, 0.5) AS median_first_response_min,
        quantile_cont(response_min, 0.9) AS p90_first_response_min,
        count(*) FILTER (WHERE response_min <= 60) AS responded_1h,
        count(*) FILTER (WHERE contacts = 0 AND created_at <= $as_of - INTERVAL 24 HOUR) AS no_contact,
        count(*) FILTER (WHERE actors >= 2) AS duplicate_contact,
        sum(contacts) FILTER (WHERE contacts > 0) AS attempts,
        count(*) FILTER (WHERE delivered_at IS NULL) AS undelivered,
        count(*) FILTER (WHERE appointment_at IS NOT NULL) AS appointments,
        count(*) FILTER (WHERE sold_at IS NOT NULL) AS sold,
        count(*) FILTER (WHERE is_lost) AS lost,
        count(*) FILTER (WHERE is_vague_lost) AS vague_lost,
        count(*) FILTER (WHERE is_lost AND contacts_before_close <= 1) AS lost_one,
        coalesce(sum(coalesce(gross_profit, 0)) FILTER (WHERE sold_at IS NOT NULL), 0) AS gross_profit,
        count(*) FILTER (WHERE is_reached) AS reached,
        count(*) FILTER (WHERE has_invalid AND NOT is_reached) AS invalid_contacted,
        sum(calls) AS calls,
        sum(coded_calls) AS coded_calls,
        quantile_cont(bh_min, 0.5) AS median_first_response_bh_min,
        quantile_cont(bh_min, 0.9) AS p90_first_response_bh_min,
        count(*) FILTER (WHERE bh_min <= 60) AS responded_1bh,
        count(*) FILTER (WHERE created_at <= $as_of - INTERVAL 90 DAY) AS mature_leads,
        count(*) FILTER (WHERE created_at <= $as_of - INTERVAL 90 DAY
                           AND sold_at < created_at + INTERVAL 90 DAY) AS sold_in_window
    FROM per_lead GROUP BY dealer_group_id
)
SELECT c.dealer_group_id, c.leads, c.contacted,
    c.contacted / nullif(c.leads, 0) AS follow_up_rate,
    c.median_first_response_min, c.p90_first_response_min,
    c.responded_1h / nullif(c.leads, 0) AS responded_1h_rate,
    c.no_contact, c.duplicate_contact,
    c.duplicate_contact / nullif(c.contacted, 0) AS duplicate_contact_rate,
    c.attempts / nullif(c.contacted, 0) AS avg_attempts,
    c.undelivered, c.appointments, c.sold,
    c.sold / nullif(c.leads, 0) AS conversion_rate,
    c.lost,
    c.vague_lost / nullif(c.lost, 0) AS vague_close_rate,
    c.lost_one / nullif(c.lost, 0) AS lost_after_one_attempt_rate,
    coalesce(a.spend, 0) AS spend,
    coalesce(a.spend, 0) / nullif(c.leads, 0) AS cost_per_lead,
    coalesce(a.spend, 0) / nullif(c.sold, 0) AS cost_per_sale,
    c.gross_profit,
    (c.gross_profit - coalesce(a.spend, 0)) / nullif(coalesce(a.spend, 0), 0) AS roi,
    c.reached,
    c.reached / nullif(c.leads, 0) AS reach_rate,
    c.invalid_contacted / nullif(c.contacted, 0) AS invalid_contact_rate,
    c.coded_calls / nullif(c.calls, 0) AS coded_contact_rate,
    c.median_first_response_bh_min, c.p90_first_response_bh_min,
    c.responded_1bh / nullif(c.leads, 0) AS responded_1bh_rate,
    c.mature_leads, c.sold_in_window,
    c.sold_in_window / nullif(c.mature_leads, 0) AS conversion_in_window_rate
FROM counts AS c LEFT JOIN allocated AS a ON a.dealer_group_id = c.dealer_group_id
ORDER BY c.dealer_group_id
"""


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("reference") / "demo.duckdb"
    generate_demo(path, leads=20_000, seed=11, end=date(2025, 6, 30))
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def reference_table(engine: Engine) -> pl.DataFrame:
    """The reference answer, run as plain SQL on the DuckDB driver connection itself."""
    params = {
        "start": START,
        "end": END,
        "start_ts": datetime.combine(START, datetime.min.time()),
        "stop_ts": datetime(2025, 6, 1),
        "as_of": AS_OF,
    }
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        assert raw.execute("SELECT count(*) FROM close_reasons").fetchall() != [(0,)], (
            "taxonomy from the table"
        )
        return raw.sql(REFERENCE_SQL, params=params).pl()


def assert_same_tables(actual: pl.DataFrame, expected: pl.DataFrame, key: str) -> None:
    assert actual[key].to_list() == expected[key].to_list()
    for column in METRIC_COLUMNS:
        for group, got, want in zip(actual[key], actual[column], expected[column], strict=True):
            if want is None:
                assert got is None, (group, column, got)
            else:
                assert got is not None, (group, column, want)
                assert math.isclose(got, float(want), rel_tol=1e-9, abs_tol=1e-6), (group, column, got, want)


def test_metrics_table_matches_hand_written_sql(demo_engine: Engine) -> None:
    query = LeadQuery(START, END, AS_OF, group_by=("dealer_group_id",))
    actual = metrics_table(demo_engine, query, min_group_size=0, min_team_size=0)
    expected = reference_table(demo_engine)
    assert actual.height == expected.height > 5
    assert_same_tables(actual, expected, "dealer_group_id")
    # The demo must exercise what the definitions distinguish, or the comparison proves little.
    totals = actual.select(pl.col("no_contact", "duplicate_contact", "lost", "sold").sum()).row(0)
    assert all(total > 0 for total in totals), totals
    assert actual["spend"].sum() > 0 and 0 < actual["vague_close_rate"].max() < 1
    assert actual["invalid_contact_rate"].min() > 0 and actual["coded_contact_rate"].min() < 0.9
    # Business hours differ from the clock, and some leads are old enough to judge conversion.
    assert (actual["median_first_response_bh_min"] < actual["median_first_response_min"]).any()
    assert actual["mature_leads"].sum() > 0 and actual["sold_in_window"].sum() > 0


def test_suppression_on_the_reference_groups(demo_engine: Engine) -> None:
    expected = reference_table(demo_engine)
    k = int(expected["leads"].median())  # about half the groups fall below it
    query = LeadQuery(START, END, AS_OF, group_by=("dealer_group_id",))
    actual = metrics_table(demo_engine, query, min_group_size=k, min_team_size=0)
    small = (expected["leads"] < k).to_list()
    # Every small group is hidden; complementary suppression may hide a few more, never most.
    hidden_flags = actual["suppressed"].to_list()
    assert all(h or not s for h, s in zip(hidden_flags, small, strict=True))
    assert any(small) and not all(hidden_flags)
    hidden = actual.filter(pl.col("suppressed"))
    assert hidden.select(pl.all_horizontal(pl.col(METRIC_COLUMNS).is_null())).to_series().all()
    shown = actual.filter(~pl.col("suppressed") & ~pl.col("team_suppressed"))
    shown_ids = shown["dealer_group_id"].to_list()
    assert_same_tables(shown, expected.filter(pl.col("dealer_group_id").is_in(shown_ids)), "dealer_group_id")
