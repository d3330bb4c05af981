"""The demo warehouse tells every story of the product: each one measured with plain SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import duckdb
import pytest

from tests.demo_helpers import END, FOLLOWED, LOST, VAGUE, one, values, write_demo

LEADS = 20_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A 20,000-lead demo warehouse, opened read-only."""
    con = write_demo(tmp_path_factory.mktemp("demo"), LEADS)
    yield con
    con.close()


# --- the network -----------------------------------------------------------------------------


def test_the_network_has_brands_markets_groups_dealers_and_channels(demo: duckdb.DuckDBPyConnection) -> None:
    assert one(demo, "SELECT count(DISTINCT brand) FROM leads") >= 3
    assert one(demo, "SELECT count(DISTINCT market) FROM dealers") >= 6
    assert one(demo, "SELECT count(DISTINCT dealer_group_id) FROM dealers") >= 10
    assert one(demo, "SELECT count(*) FROM dealers") >= 60
    assert one(demo, "SELECT count(*) FROM dealers WHERE timezone IS NULL") > 0
    assert one(demo, "SELECT count(*) FROM dealers WHERE region IS NULL") > 0
    assert one(demo, "SELECT count(*) FROM dealers WHERE timezone NOT LIKE '%/%'") == 0
    channels = values(demo, "SELECT DISTINCT channel FROM campaigns")
    assert {"search", "social", "display", "email", "marketplace", "website", "event"} <= channels
    assert one(demo, "SELECT count(*) FROM campaigns WHERE market IS NULL") > 0
    sources = {str(s) for s in values(demo, "SELECT DISTINCT source FROM leads")}
    assert {"brand_site", "marketplace:autoscout24", "marketplace:mobile_de"} <= sources
    assert any(s.startswith("third_party:") for s in sources)
    assert one(demo, "SELECT count(DISTINCT currency) FROM campaign_spend") == 1


def test_more_leads_arrive_at_weekends_and_in_the_evening(demo: duckdb.DuckDBPyConnection) -> None:
    weekend, weekday = demo.execute(
        "SELECT count(*) FILTER (WHERE isodow(created_at) >= 6) / 2, count(*) FILTER (WHERE isodow(created_at) < 6) / 5"
        " FROM leads"
    ).fetchone() or (0, 0)
    assert weekend > 1.2 * weekday
    evening, morning = demo.execute(
        "SELECT count(*) FILTER (WHERE hour(created_at) BETWEEN 16 AND 19),"
        " count(*) FILTER (WHERE hour(created_at) BETWEEN 5 AND 8) FROM leads"
    ).fetchone() or (0, 0)
    assert evening > 1.5 * morning


# --- the stories -----------------------------------------------------------------------------


def test_follow_up_ranges_from_below_35_to_above_85_percent(demo: duckdb.DuckDBPyConnection) -> None:
    for dimension in ("market", "dealer_group_id"):
        rates = [
            r[1]
            for r in demo.execute(
                f"SELECT d.{dimension}, avg(CASE WHEN {FOLLOWED} THEN 1 ELSE 0 END) FROM leads l"
                " JOIN dealers d USING (dealer_id) GROUP BY ALL"
            ).fetchall()
        ]
        assert min(rates) < 0.35, dimension
        assert max(rates) > 0.85, dimension


def test_first_responses_have_a_long_tail(demo: duckdb.DuckDBPyConnection) -> None:
    median, p90, longest = demo.execute(
        f"""SELECT quantile_cont(m, 0.5), quantile_cont(m, 0.9), max(m) FROM (
              SELECT (SELECT min(epoch(a.occurred_at - l.created_at)) / 60 FROM lead_activities a
                      WHERE a.lead_id = l.lead_id AND a.direction = 'outbound' AND a.automated IS NOT TRUE
                        AND a.occurred_at >= l.created_at) AS m
              FROM leads l WHERE {FOLLOWED})"""
    ).fetchone() or (0, 0, 0)
    assert 5 < median < 12 * 60
    assert p90 > 3 * median
    assert longest > 3 * 24 * 60


def test_a_crm_switch_left_one_marketplace_undelivered_to_one_dealer_for_weeks(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    weeks = demo.execute(
        "SELECT dealer_id, source, date_trunc('week', created_at) AS week, count(delivered_at)"
        " FROM leads WHERE source LIKE 'marketplace:%' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    longest: dict[tuple[str, str], int] = {}
    run: dict[tuple[str, str], tuple[object, int]] = {}
    for dealer, source, week, delivered in weeks:
        key = (dealer, source)
        previous_week, length = run.get(key, (None, 0))
        consecutive = previous_week is not None and week - previous_week == timedelta(days=7)
        length = (length + 1 if consecutive else 1) if delivered == 0 else 0
        run[key] = (week, length)
        longest[key] = max(longest.get(key, 0), length)
    gaps = [key for key, length in longest.items() if length >= 3]
    assert len(gaps) == 1, gaps
    undelivered = one(demo, "SELECT avg(CASE WHEN delivered_at IS NULL THEN 1 ELSE 0 END) FROM leads")
    assert 0.002 < undelivered < 0.03  # plus a small background rate everywhere


def test_some_leads_are_contacted_by_two_or_three_salespeople_and_some_by_nobody(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    counts = dict(
        demo.execute(
            """SELECT n, count(*) FROM (
                 SELECT l.lead_id, count(DISTINCT a.actor_key) AS n FROM leads l
                 LEFT JOIN lead_activities a ON a.lead_id = l.lead_id AND a.direction = 'outbound'
                   AND a.automated IS NOT TRUE AND a.occurred_at >= l.created_at
                 GROUP BY ALL) GROUP BY n"""
        ).fetchall()
    )
    assert counts[2] > 0.02 * LEADS
    assert counts[3] > 0
    assert counts[0] > 0.2 * LEADS
    assert one(demo, "SELECT count(*) FROM lead_activities WHERE actor_key NOT LIKE 'a\\_%' ESCAPE '\\'") == 0


def test_auto_responders_inbound_contacts_and_early_stamps_exist(demo: duckdb.DuckDBPyConnection) -> None:
    after_delivery, median_after_lead = demo.execute(
        "SELECT max(epoch(a.occurred_at - l.delivered_at)), median(epoch(a.occurred_at - l.created_at))"
        " FROM lead_activities a JOIN leads l USING (lead_id)"
        " WHERE a.automated AND a.direction = 'outbound' AND a.channel = 'email'"
    ).fetchone() or (None, None)
    assert one(demo, "SELECT count(*) FROM lead_activities WHERE automated") > 0.3 * LEADS
    assert 0 < after_delivery <= 90  # seconds after the CRM received the lead
    assert median_after_lead < 300
    assert one(demo, "SELECT count(*) FROM lead_activities WHERE direction = 'inbound'") > 0.05 * LEADS
    early = one(
        demo,
        "SELECT count(*) FROM lead_activities a JOIN leads l USING (lead_id) WHERE a.occurred_at < l.created_at",
    )
    assert 0 < early < 0.01 * LEADS
    codes = values(demo, "SELECT DISTINCT result_code FROM lead_activities WHERE channel = 'phone'")
    assert {"reached", "no_answer", "voicemail", "wrong_number", "appointment_set"} <= codes
    per_lead = one(demo, "SELECT (SELECT count(*) FROM lead_activities) / (SELECT count(*) FROM leads)")
    assert 2.0 < per_lead < 3.0


def test_leads_without_a_usable_phone_number_are_followed_up_less(demo: duckdb.DuckDBPyConnection) -> None:
    rates = dict(
        demo.execute(
            f"SELECT phone_status IN ('missing', 'placeholder'), avg(CASE WHEN {FOLLOWED} THEN 1 ELSE 0 END)"
            " FROM leads l GROUP BY ALL"
        ).fetchall()
    )
    assert rates[True] < rates[False] - 0.1


def test_conversion_money_and_funnel_look_like_a_dealer_network(demo: duckdb.DuckDBPyConnection) -> None:
    conversion = one(demo, f"SELECT (SELECT count(sold_at) FROM lead_outcomes) / {LEADS}")
    assert 0.08 <= conversion <= 0.15
    profit = one(demo, "SELECT avg(gross_profit) FROM lead_outcomes WHERE sold_at IS NOT NULL")
    assert 1_500 <= profit <= 4_000
    assert (
        one(demo, "SELECT count(*) FROM lead_outcomes WHERE sold_at IS NOT NULL AND sale_amount IS NULL") == 0
    )
    for column in ("appointment_at", "test_drive_at", "quote_at"):
        assert one(demo, f"SELECT count({column}) FROM lead_outcomes") > 0.05 * LEADS, column
    still_open = one(
        demo,
        "SELECT count(*) FROM leads l LEFT JOIN lead_outcomes o USING (lead_id) WHERE o.closed_at IS NULL",
    )
    assert still_open > 0.05 * LEADS


def test_recent_leads_are_less_contacted_and_closed(demo: duckdb.DuckDBPyConnection) -> None:
    recent, older = demo.execute(
        f"""SELECT avg(CASE WHEN {FOLLOWED} THEN 1 ELSE 0 END) FILTER (WHERE l.created_at >= DATE '{END}'),
                   avg(CASE WHEN {FOLLOWED} THEN 1 ELSE 0 END) FILTER (WHERE l.created_at < DATE '{END}' - 30)
            FROM leads l"""
    ).fetchone() or (0, 0)
    assert recent < older
    closed_recent, closed_older = demo.execute(
        f"""SELECT avg(CASE WHEN o.closed_at IS NULL THEN 0 ELSE 1 END) FILTER (WHERE l.created_at >= DATE '{END}' - 3),
                   avg(CASE WHEN o.closed_at IS NULL THEN 0 ELSE 1 END) FILTER (WHERE l.created_at < DATE '{END}' - 60)
            FROM leads l LEFT JOIN lead_outcomes o USING (lead_id)"""
    ).fetchone() or (0, 0)
    assert closed_recent < closed_older / 2


def test_average_spend_per_lead_is_about_15_eur(demo: duckdb.DuckDBPyConnection) -> None:
    per_lead = one(demo, f"SELECT sum(amount) / {LEADS} FROM campaign_spend")
    assert 10 <= per_lead <= 20
    assert one(demo, "SELECT min(amount) FROM campaign_spend") >= 0


def test_some_buyers_refused_consent_and_most_said_nothing(demo: duckdb.DuckDBPyConnection) -> None:
    shares = dict(demo.execute(f"SELECT consent, count(*) / {LEADS} FROM leads GROUP BY ALL").fetchall())
    assert 0.005 < shares[False] < 0.05
    assert shares[None] > 0.5
    assert shares[True] > 0.05


def test_double_leads_share_customer_and_brand_within_30_days(demo: duckdb.DuckDBPyConnection) -> None:
    doubles = one(
        demo,
        """SELECT count(*) FROM leads a JOIN leads b ON a.customer_key = b.customer_key AND a.brand = b.brand
           AND a.lead_id < b.lead_id AND abs(epoch(b.created_at - a.created_at)) <= 30 * 86400""",
    )
    assert 0.02 * LEADS < doubles < 0.1 * LEADS
    assert 0.8 < one(demo, f"SELECT count(customer_key) / {LEADS} FROM leads") < 1


def test_vague_close_reasons_are_concentrated_at_some_dealers(demo: duckdb.DuckDBPyConnection) -> None:
    network = one(demo, f"SELECT avg(CASE WHEN {VAGUE} THEN 1 ELSE 0 END) FROM lead_outcomes o WHERE {LOST}")
    worst = one(
        demo,
        f"""SELECT max(share) FROM (
              SELECT l.dealer_id, avg(CASE WHEN {VAGUE} THEN 1 ELSE 0 END) AS share, count(*) AS lost
              FROM lead_outcomes o JOIN leads l USING (lead_id) WHERE {LOST} GROUP BY ALL) WHERE lost >= 30""",
    )
    assert worst > 2 * network
    codes = values(demo, f"SELECT DISTINCT close_reason_code FROM lead_outcomes o WHERE {LOST}")
    assert {"no_interest", ".", "not_applicable", None, ""} <= codes
    unknown = codes - values(demo, "SELECT code FROM close_reasons") - {None, ""}
    assert unknown


def test_some_dealers_write_lost_leads_off_after_one_attempt(demo: duckdb.DuckDBPyConnection) -> None:
    shares = [
        r[0]
        for r in demo.execute(
            f"""SELECT avg(CASE WHEN attempts <= 1 THEN 1 ELSE 0 END) FROM (
                  SELECT l.dealer_id, (SELECT count(*) FROM lead_activities a WHERE a.lead_id = l.lead_id
                      AND a.direction = 'outbound' AND a.automated IS NOT TRUE
                      AND a.occurred_at >= l.created_at AND a.occurred_at <= o.closed_at) AS attempts
                  FROM lead_outcomes o JOIN leads l USING (lead_id) WHERE {LOST})
                GROUP BY dealer_id HAVING count(*) >= 30"""
        ).fetchall()
    ]
    assert max(shares) > 2 * min(shares)


def test_two_busy_dealers_have_a_backlog_of_leads_waiting_today(demo: duckdb.DuckDBPyConnection) -> None:
    from loaders.demo.contacts import backlog_dealers
    from loaders.demo.network import build_network

    net = build_network(7)
    backlog = {net.dealer_ids[i] for i in backlog_dealers(net)}
    # Waiting now at the end of the data (docs/metrics.md): the last 7 days, no contact, not closed.
    rows = demo.execute(
        f"""SELECT l.dealer_id, count(*) AS leads,
                   count(*) FILTER (WHERE NOT {FOLLOWED} AND o.closed_at IS NULL) AS waiting
            FROM leads l LEFT JOIN lead_outcomes o USING (lead_id)
            WHERE l.created_at > TIMESTAMP '{END + timedelta(days=1)}' - INTERVAL 7 DAY
              AND l.consent IS NOT FALSE
            GROUP BY ALL ORDER BY waiting DESC, dealer_id"""
    ).fetchall()
    assert {row[0] for row in rows[:2]} == backlog  # the two with the most leads waiting
    for dealer, leads, waiting in rows[:2]:
        assert waiting >= 0.5 * leads, dealer  # the backlog covers five of the seven days
    everyone_else = [(leads, waiting) for dealer, leads, waiting in rows if dealer not in backlog]
    assert sum(w for _, w in everyone_else) < 0.45 * sum(n for n, _ in everyone_else)
