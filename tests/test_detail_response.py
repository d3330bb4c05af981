"""Response-time buckets, funnel, prequalification gap and follow-up by contact-data status,
on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, create_engine

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.queries.detail_response import fetch_response_bucket_counts
from loaders.request.query import LeadQuery
from metrics import detail_response
from metrics.detail_response import RESPONSE_BUCKETS
from tests.conftest import Warehouse
from tests.detail_builders import T0, contact, lead, outcome, write

MARCH = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10), group_by=("source",))
SECOND = 1 / 60

# (first contact in minutes after arrival or a disqualifying contact, expected bucket)
BOUNDARIES = [
    ("m0", {"minutes": 0}, "within_15_min"),
    ("m15", {"minutes": 15}, "within_15_min"),
    ("m15s", {"minutes": 15 + SECOND}, "from_15_to_60_min"),
    ("m60", {"minutes": 60}, "from_15_to_60_min"),
    ("m60s", {"minutes": 60 + SECOND}, "from_1_to_4_h"),
    ("m240", {"minutes": 240}, "from_1_to_4_h"),
    ("m240s", {"minutes": 240 + SECOND}, "from_4_to_24_h"),
    ("m1440", {"minutes": 1440}, "from_4_to_24_h"),
    ("m1440s", {"minutes": 1440 + SECOND}, "over_24_h"),
    ("none", None, "never"),
    ("automated", {"minutes": 1, "automated": True}, "never"),
    ("inbound", {"minutes": 1, "direction": "inbound"}, "never"),
    ("before", {"minutes": -5}, "never"),
    ("auto_null", {"minutes": 3, "automated": None}, "within_15_min"),
]


def _raw_buckets(engine: Engine, query: LeadQuery, k: int) -> pl.DataFrame:
    """The bucket definitions without the small-team rule (tests/test_small_teams.py covers that)."""
    counts = fetch_response_bucket_counts(engine, query)
    return detail_response.response_buckets_table(counts, query.group_by, k)


def _boundary_leads(prefix: str) -> tuple[list[dict], list[dict]]:
    """One lead per case of BOUNDARIES (its source the case's name), and their contacts."""
    leads, activities = [], []
    for source, contact_spec, _ in BOUNDARIES:
        row = lead(f"{prefix}{source}", source=source)
        leads.append(row)
        if contact_spec is not None:
            spec = dict(contact_spec)
            activities.append(contact(row, spec.pop("minutes"), **spec))
    return leads, activities


def test_response_buckets_at_their_boundaries(warehouse: Warehouse) -> None:
    write(warehouse.engine, *_boundary_leads("L_"))

    table = _raw_buckets(warehouse.engine, MARCH, 1)

    got = dict(table.filter(pl.col("count") == 1).select("source", "bucket").iter_rows())
    assert got == {source: bucket for source, _, bucket in BOUNDARIES}
    assert table.columns == ["source", "bucket", "label", "count", "share", "suppressed"]
    assert table.height == len(BOUNDARIES) * len(RESPONSE_BUCKETS)


@pytest.fixture(scope="module")
def memory_engine() -> Iterator[Engine]:
    engine = create_engine("duckdb:///:memory:")
    yield engine
    engine.dispose()


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.one_of(st.none(), st.floats(0, 3000, allow_nan=False)), min_size=1, max_size=25))
def test_bucket_counts_sum_to_leads_and_shares_to_one(
    memory_engine: Engine, first_contacts: list[float | None]
) -> None:
    engine = memory_engine
    leads = [lead(f"L{i}") for i in range(len(first_contacts))]
    activities = [contact(row, m) for row, m in zip(leads, first_contacts, strict=True) if m is not None]
    write(engine, leads, activities, replace=True)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = _raw_buckets(engine, query, 1)

    assert table["count"].sum() == len(first_contacts)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.filter(pl.col("bucket") == "never")["count"][0] == first_contacts.count(None)


def _funnel_leads() -> tuple[list[dict], list[dict], list[dict]]:
    leads = [lead(f"F{i}") for i in range(6)]
    activities = [contact(leads[i], 10) for i in range(4)]
    # Attempted is not reached: of the four contacted leads, a call reached two, one was a wrong number.
    activities += [
        contact(leads[0], 20, result_code="appointment_set"),
        contact(leads[1], 20, result_code=" reached"),
        contact(leads[2], 20, result_code="wrong_number"),
    ]
    outcomes = [
        outcome(leads[0], appointment_at=T0, test_drive_at=T0, quote_at=T0, sold_at=T0),
        outcome(leads[1], appointment_at=T0, quote_at=T0),
        # A sale without a recorded appointment: stages are not nested in real data.
        outcome(leads[5], sold_at=T0),
    ]
    return leads, activities, outcomes


def test_funnel_counts_and_shares(warehouse: Warehouse) -> None:
    write(warehouse.engine, *_funnel_leads())
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = detail_tables.funnel(warehouse.engine, query, 5)

    assert table.select("stage", "count").rows() == [
        ("leads", 6),
        ("contacted", 4),
        ("reached", 2),
        ("appointments", 2),
        ("test_drives", 1),
        ("quotes", 2),
        ("sold", 2),
    ]
    assert table["share"].to_list() == pytest.approx([1, 4 / 6, 2 / 6, 2 / 6, 1 / 6, 2 / 6, 2 / 6])
    assert not table["suppressed"].any()


def test_funnel_of_a_small_group_is_suppressed(warehouse: Warehouse) -> None:
    write(warehouse.engine, *_funnel_leads())
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = detail_tables.funnel(warehouse.engine, query, 7)

    assert table["suppressed"].all()
    assert table["count"].null_count() == table.height
    assert table["share"].null_count() == table.height


@pytest.mark.parametrize("k", [5, 25], ids=["shown", "suppressed"])
def test_follow_ups_reach_funnel_from_the_metrics_totals_is_the_funnels(warehouse: Warehouse, k: int) -> None:
    """Follow-up draws leads, attempted, reached and appointments from its tiles' metrics table:
    the funnel's own counts, including contacts that do not qualify (automated, inbound, before arrival)."""
    leads, activities, outcomes = _funnel_leads()
    more_leads, more_activities = _boundary_leads("B_")
    write(warehouse.engine, leads + more_leads, activities + more_activities, outcomes)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))
    with_boundaries = 6 + len(BOUNDARIES)
    totals = metrics_table(warehouse.engine, query, k)
    assert totals["leads"].to_list() == ([with_boundaries] if k <= with_boundaries else [None])

    reach = detail_response.reach_funnel_table(totals.row(0, named=True), k)
    funnel = detail_tables.funnel(warehouse.engine, query, k).head(4)
    if k <= with_boundaries:
        assert_frame_equal(reach, funnel)
        assert reach["count"].to_list() == [20, 14, 2, 2]
    else:  # the metrics table hides a small total's counts; the funnel hides its stages
        assert reach["suppressed"].all() and reach["count"].null_count() == 4
        assert funnel["suppressed"].all()


def test_prequalification_gap_in_points(warehouse: Warehouse) -> None:
    complete = [lead(f"C{i}") for i in range(4)]
    incomplete = [
        lead("I0", phone_status="placeholder"),
        lead("I1", email_status="missing"),
        lead("I2", phone_status="invalid", email_status="suspicious"),
        lead("I3", phone_status="missing"),
    ]
    activities = [contact(row, 5) for row in (*complete[:3], incomplete[0])]
    write(warehouse.engine, complete + incomplete, activities)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = detail_tables.prequalification_gap(warehouse.engine, query, 5)

    assert table.columns == [
        "complete_leads",
        "complete_follow_up_rate",
        "incomplete_leads",
        "incomplete_follow_up_rate",
        "gap_points",
        "suppressed",
    ]
    row = table.row(0, named=True)
    assert (row["complete_leads"], row["incomplete_leads"]) == (4, 4)
    assert row["complete_follow_up_rate"] == pytest.approx(0.75)
    assert row["incomplete_follow_up_rate"] == pytest.approx(0.25)
    assert row["gap_points"] == pytest.approx(50.0)


def test_prequalification_gap_is_null_without_incomplete_leads(warehouse: Warehouse) -> None:
    write(warehouse.engine, [lead(f"C{i}") for i in range(5)])
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    row = detail_tables.prequalification_gap(warehouse.engine, query, 5).row(0, named=True)

    assert row["incomplete_leads"] == 0
    assert row["incomplete_follow_up_rate"] is None
    assert row["gap_points"] is None


def test_follow_up_by_phone_status_in_points_against_valid(warehouse: Warehouse) -> None:
    valid = [lead(f"V{i}") for i in range(5)]
    placeholder = [lead(f"P{i}", phone_status="placeholder") for i in range(5)]
    missing = [lead(f"M{i}", phone_status="missing") for i in range(2)]
    invalid = [lead(f"I{i}", phone_status="invalid") for i in range(3)]
    activities = [contact(row, 5) for row in valid[:4] + placeholder[:1] + missing]
    write(warehouse.engine, valid + placeholder + missing + invalid, activities)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = detail_tables.follow_up_by_phone_status(warehouse.engine, query, 5)

    assert table.columns == [
        "phone_status",
        "leads",
        "follow_up_rate",
        "points_vs_valid",
        "reached_of_contacted_rate",
        "suppressed",
    ]
    rows = {r["phone_status"]: r for r in table.iter_rows(named=True)}
    assert list(rows) == ["valid", "missing", "placeholder", "invalid"]  # contract order
    assert rows["valid"]["points_vs_valid"] == pytest.approx(0.0)
    assert rows["placeholder"]["follow_up_rate"] == pytest.approx(0.2)
    assert rows["placeholder"]["points_vs_valid"] == pytest.approx(-60.0)
    # Two leads are fewer than K = 5: no numbers, and no difference that would reveal them.
    assert rows["missing"]["suppressed"] is True
    assert rows["missing"]["follow_up_rate"] is None and rows["missing"]["points_vs_valid"] is None
    # Three invalid leads are hidden too; together the hidden statuses hold K leads, so the total
    # minus the shown statuses does not single out either of them.
    assert rows["invalid"]["suppressed"] is True and rows["placeholder"]["suppressed"] is False


def test_follow_up_by_phone_status_hides_a_complement_when_one_status_alone_is_small(
    warehouse: Warehouse,
) -> None:
    valid = [lead(f"V{i}") for i in range(6)]
    placeholder = [lead(f"P{i}", phone_status="placeholder") for i in range(5)]
    missing = [lead(f"M{i}", phone_status="missing") for i in range(2)]
    activities = [contact(row, 5) for row in valid[:4] + placeholder[:1] + missing]
    write(warehouse.engine, valid + placeholder + missing, activities)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10))

    table = detail_tables.follow_up_by_phone_status(warehouse.engine, query, 5)

    # Total leads (13) minus valid (6) minus placeholder (5) would be the two missing leads and,
    # with the total follow-up, whether each was contacted: the smallest shown status is hidden too.
    hidden = {r["phone_status"] for r in table.iter_rows(named=True) if r["suppressed"]}
    assert hidden == {"missing", "placeholder"}


def test_follow_up_by_email_status_is_compared_within_each_group(warehouse: Warehouse) -> None:
    rows = [lead(f"A{i}", dealer_id="D1") for i in range(5)]
    rows += [lead(f"B{i}", dealer_id="D1", email_status="invalid") for i in range(5)]
    rows += [lead(f"C{i}", dealer_id="D2", email_status="invalid") for i in range(5)]
    activities = [contact(r, 5) for r in rows[:5] + rows[10:15]]
    write(warehouse.engine, rows, activities)
    query = LeadQuery(date(2024, 3, 1), date(2024, 3, 31), datetime(2024, 4, 10), group_by=("dealer_id",))

    table = detail_tables.follow_up_by_email_status(warehouse.engine, query, 5)

    got = {(r["dealer_id"], r["email_status"]): r["points_vs_valid"] for r in table.iter_rows(named=True)}
    assert got == {("D1", "valid"): 0.0, ("D1", "invalid"): -100.0, ("D2", "invalid"): None}
