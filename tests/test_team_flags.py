"""Small-team flags shared by a page's tables: reused only while the data is unchanged.

Follow-up's detail tables (response buckets in business and clock time, duplicate contact) hide
"how people worked" where the metrics table of the same lead set marks a small team. They reuse
the metrics table a page's one scan computed, or each other's, instead of asking again: at 10M
leads each ask cost ~1.8 s. A refusal must still count at once (docs/privacy.md section 1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, create_engine, event, func, select, update

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table, metrics_tables, team_flags
from loaders.contract.tables import leads
from loaders.demo.generate import generate_demo
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.source import forget_probes
from loaders.queries.aggregates import QUANTILE_COLUMNS
from loaders.request.query import LeadQuery
from metrics.registry import CODES_AND_SPEND_METRICS

END = date(2025, 6, 30)
QUERY = LeadQuery(END - timedelta(days=364), END, datetime(2025, 7, 1, 6))
BY_DEALER = dataclasses.replace(QUERY, group_by=("dealer_id",))
K = 5


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "demo.duckdb"
    generate_demo(path, leads=1500, seed=5, end=END)
    engine = create_engine(f"duckdb:///{path}")
    forget_probes()
    yield engine
    forget_probes()
    engine.dispose()


def _team_statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "count(DISTINCT lead_activities.actor_key)" in statement:
            seen.append(statement)

    return seen


def test_a_pages_scan_leaves_the_flags_its_detail_tables_need(engine: Engine) -> None:
    metrics_tables(engine, (QUERY, BY_DEALER), K, share_team_flags=True)
    asked = _team_statements(engine)
    buckets = detail_tables.response_buckets(engine, BY_DEALER, K)
    duplicates = detail_tables.duplicate_contact_by_dealer(engine, QUERY, K)
    assert asked == [], "the detail tables asked for team sizes the page's scan had"
    forget_probes()
    with facts_read_by(None):  # the definition, asked afresh on the fly
        assert_frame_equal(buckets, detail_tables.response_buckets(engine, BY_DEALER, K))
        assert_frame_equal(duplicates, detail_tables.duplicate_contact_by_dealer(engine, QUERY, K))
    assert asked, "reading on the fly must not be served what the facts path left"


def test_a_refusal_is_a_new_key_not_a_reused_flag(engine: Engine) -> None:
    before = team_flags(engine, BY_DEALER, K)
    with engine.connect() as conn:
        dealer = conn.execute(
            select(leads.c.dealer_id).group_by(leads.c.dealer_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
    with engine.begin() as conn:
        conn.execute(update(leads).where(leads.c.dealer_id == dealer).values(consent=False))
    after = team_flags(engine, BY_DEALER, K)  # within PROBE_SECONDS of the first
    assert dealer in before["dealer_id"].to_list() and dealer not in after["dealer_id"].to_list()
    # The flags' table leaves the response-time quantiles, close reasons and spend out (they decide no flag).
    expected = metrics_table(engine, BY_DEALER, K).drop(QUANTILE_COLUMNS).drop(CODES_AND_SPEND_METRICS)
    assert_frame_equal(after, expected)


def test_follow_ups_bucket_tables_are_one_scan_and_the_same_tables(engine: Engine) -> None:
    """Follow-up draws the business-hours and the clock-time buckets by dealer group and by dealer:
    one statement counts all four, and each table equals the one asked alone."""
    counted: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if (
            "AS within_15_min" in statement
            or "AS within_15_bh_min" in statement
            or "AS clock_bucket" in statement
        ):
            counted.append(statement)

    by_group = dataclasses.replace(QUERY, group_by=("dealer_group_id",))
    group_business, group_clock, business, clock = detail_tables.response_bucket_tables(
        engine, by_group, K, also=(BY_DEALER,)
    )
    assert len(counted) == 1
    assert_frame_equal(business, detail_tables.response_buckets_bh(engine, BY_DEALER, K))
    assert_frame_equal(clock, detail_tables.response_buckets(engine, BY_DEALER, K))
    assert_frame_equal(group_business, detail_tables.response_buckets_bh(engine, by_group, K))
    assert_frame_equal(group_clock, detail_tables.response_buckets(engine, by_group, K))
    assert len(counted) == 5
    # The small-team rule hides some dealers' buckets, and leaves others: both cases are compared.
    assert business["team_suppressed"].any() and not business["team_suppressed"].all()
    assert business["count"].drop_nulls().sum() > 0 and clock["count"].drop_nulls().sum() > 0
