"""Properties of the metrics table on random small warehouses (hypothesis).

Counts of the groups add up to the ungrouped total, rates stay in [0, 1], and
suppression blanks exactly the groups with fewer than K leads.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine

from dashboard.data.tables import metrics_table
from metrics.registry import METRIC_COLUMNS, PEOPLE_METRICS
from metrics.suppression import SUPPRESSED, TEAM_SUPPRESSED, suppress
from tests.metric_fixtures import END, START, T0, Fixture, contact, lead, outcome, spend
from tests.privacy_attacks import unsafe_slices

ADDITIVE = (
    "leads",
    "contacted",
    "no_contact",
    "duplicate_contact",
    "undelivered",
    "appointments",
    "sold",
    "lost",
)
SUMMED_MONEY = ("spend", "gross_profit")
RATES = (
    "follow_up_rate",
    "responded_1h_rate",
    "duplicate_contact_rate",
    "conversion_rate",
    "vague_close_rate",
    "lost_after_one_attempt_rate",
)
GROUPINGS = [("brand",), ("dealer_group_id",), ("week",), ("campaign_id", "dealer_id")]

minutes = st.floats(min_value=-30, max_value=3 * 24 * 60, allow_nan=False)


@st.composite
def warehouses(draw: st.DrawFn) -> Fixture:
    n = draw(st.integers(min_value=0, max_value=14))
    leads, activities, outcomes = [], [], []
    for i in range(n):
        lead_id = f"l{i}"
        created = T0 + timedelta(hours=draw(st.integers(min_value=-30, max_value=24 * 8)))
        leads.append(
            lead(
                lead_id,
                created,
                brand=draw(st.sampled_from(["Alfa", "Beta"])),
                dealer_id=draw(st.sampled_from(["d1", "d2", "ghost"])),
                campaign_id=draw(st.sampled_from([None, "c1", "c2"])),
                consent=draw(st.sampled_from([True, False, None])),
                delivered_at=draw(st.sampled_from([created, None])),
            )
        )
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            activities.append(
                contact(
                    lead_id,
                    created + timedelta(minutes=draw(minutes)),
                    draw(st.sampled_from(["x", "y", None])),
                    direction=draw(st.sampled_from(["outbound", "outbound", "inbound"])),
                    automated=draw(st.sampled_from([False, None, True])),
                )
            )
        if draw(st.booleans()):
            closed = created + timedelta(minutes=draw(minutes))
            outcomes.append(
                outcome(
                    lead_id,
                    closed_at=draw(st.sampled_from([closed, None])),
                    sold_at=draw(st.sampled_from([closed, None])),
                    appointment_at=draw(st.sampled_from([closed, None])),
                    gross_profit=draw(st.sampled_from([None, 0.0, 250.5])),
                    close_reason_code=draw(
                        st.sampled_from([None, "", "no_interest", "bought_other_car", "??"])
                    ),
                )
            )
    spends = [
        spend(c, START + timedelta(days=d), a)
        for c, d, a in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["c1", "c2", "c3"]),
                    st.integers(-2, (END - START).days + 2),
                    st.floats(0, 500),
                ),
                max_size=4,
            )
        )
    ]
    return Fixture(leads, activities, outcomes, spends)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine(f"duckdb:///{tmp_path_factory.mktemp('properties') / 'w.duckdb'}")
    yield engine
    engine.dispose()


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-6))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fixture=warehouses(), grouping=st.sampled_from(GROUPINGS), k=st.integers(min_value=1, max_value=6))
def test_metrics_table_properties(
    engine: Engine, fixture: Fixture, grouping: tuple[str, ...], k: int
) -> None:
    fixture.write(engine)
    total = metrics_table(engine, fixture.lead_query(), 0, 0).row(0, named=True)
    grouped = metrics_table(engine, fixture.lead_query(group_by=grouping), 0, 0)
    suppressed = metrics_table(engine, fixture.lead_query(group_by=grouping), k, 0)

    # Counts and money of the groups add up to the whole lead set.
    for column in ADDITIVE:
        assert grouped[column].sum() == total[column], column
    for column in SUMMED_MONEY:
        assert math.isclose(grouped[column].sum(), total[column], abs_tol=1e-6), column

    # Rates are shares; a group always has at least one lead.
    for column in RATES:
        values = grouped[column].drop_nulls()
        assert values.is_between(0.0, 1.0).all(), (column, values.to_list())
    assert (grouped["leads"] >= 1).all()

    # Suppression: every group below K and its complements, all 22 metrics blank there; the
    # "how people worked" metrics also where fewer than K leads were contacted; the rest untouched.
    assert suppressed.select(grouping).equals(grouped.select(grouping))
    primary = (grouped["leads"] < k).to_list()
    assert all(s or not p for s, p in zip(suppressed[SUPPRESSED].to_list(), primary, strict=True))
    assert unsafe_slices(suppressed.with_columns(grouped["leads"]), grouping, SUPPRESSED, "leads", k) == []
    for before, after in zip(grouped.iter_rows(named=True), suppressed.iter_rows(named=True), strict=True):
        assert after[TEAM_SUPPRESSED] is (after[SUPPRESSED] or after[TEAM_SUPPRESSED])
        if not after[SUPPRESSED] and before["contacted"] < k:
            assert after[TEAM_SUPPRESSED]
        for column in METRIC_COLUMNS:
            hidden = after[SUPPRESSED] or (column in PEOPLE_METRICS and after[TEAM_SUPPRESSED])
            assert close(after[column], None if hidden else before[column]), column


@st.composite
def metric_frames(draw: st.DrawFn) -> pl.DataFrame:
    rows = draw(st.integers(min_value=0, max_value=12))
    leads = draw(st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=rows, max_size=rows))
    # One random value per row for every other metric is enough: suppression treats them alike.
    values = draw(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=rows, max_size=rows))
    data: dict[str, Any] = {
        "brand": draw(st.lists(st.sampled_from(["A", "B", None]), min_size=rows, max_size=rows))
    }
    data.update(dict.fromkeys(METRIC_COLUMNS, values))
    data["leads"] = leads
    return pl.DataFrame(
        data, schema={"brand": pl.String, **dict.fromkeys(METRIC_COLUMNS, pl.Float64), "leads": pl.Int64}
    )


@settings(max_examples=60, deadline=None)
@given(frame=metric_frames(), k=st.integers(min_value=0, max_value=25))
def test_suppress_blanks_every_metric_of_small_groups(frame: pl.DataFrame, k: int) -> None:
    result = suppress(frame, ("brand",), k, 0)
    assert result.columns == [*frame.columns, SUPPRESSED, TEAM_SUPPRESSED]
    assert result["brand"].to_list() == frame["brand"].to_list()  # which group was hidden stays visible
    # No hidden group (or hidden set under K leads) is the total minus the shown groups.
    assert unsafe_slices(result.with_columns(frame["leads"]), ("brand",), SUPPRESSED, "leads", k) == []
    for before, after in zip(frame.iter_rows(named=True), result.iter_rows(named=True), strict=True):
        small = (before["leads"] or 0) < k
        assert after[SUPPRESSED] is True if small else after[SUPPRESSED] in (True, False)
        for column in METRIC_COLUMNS:
            hidden = after[SUPPRESSED] or (column in PEOPLE_METRICS and after[TEAM_SUPPRESSED])
            assert after[column] == (None if hidden else before[column])
