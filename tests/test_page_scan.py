"""A page's metrics tables from one scan (GROUPING SETS) equal the tables asked one by one.

``metrics_tables`` answers the tables of a page (KPI totals, the comparison period, trends and
breakdowns) with three statements per view instead of five per table
(loaders/queries/page_scan.py). Every frame must equal ``metrics_table``'s for the same query:
on DuckDB and PostgreSQL, on the fly and from the materialised facts (and with new data landed
since the refresh: the catch-up read), with filters, a union of grants, a previous period
(one scan), a year-ago period (its own scan), an empty period, small-group and small-team
suppression.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, event

from dashboard.data.tables import metrics_table, metrics_tables
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes
from loaders.queries.aggregates import QUANTILE_COLUMNS
from loaders.queries.scan_plan import plan_scans
from loaders.request.query import LeadQuery
from metrics.registry import CODES_AND_SPEND_METRICS, PEOPLE_METRICS
from tests.conftest import Warehouse
from tests.test_lead_facts_materialised import (  # noqa: F401  (fixtures)
    _land_new_data,
    demo_frames,
    filled,
    queries,
)

pytestmark = pytest.mark.slow  # every table twice, on two warehouses


def page(view: LeadQuery) -> tuple[LeadQuery, ...]:
    """What Overview, Follow-up and Campaigns ask: totals, comparisons, trend and breakdowns."""
    total = replace(view, group_by=())
    length = view.end - view.start + timedelta(days=1)
    previous = replace(total, start=view.start - length, end=view.end - length)
    year_ago = replace(total, start=view.start - timedelta(days=364), end=view.end - timedelta(days=364))
    empty = replace(total, start=date(2031, 1, 1), end=date(2031, 3, 31))
    grouped = [
        replace(view, group_by=g) for g in [("week",), ("market",), ("campaign_id",), ("source", "dealer_id")]
    ]
    return (total, previous, year_ago, empty, *grouped, replace(previous, group_by=("dealer_group_id",)))


def same_tables(engine: Engine, views: list[LeadQuery], k: int, team: int | None = None) -> None:
    """Every table of each view's page equals the one-table path's: whole, without the response
    times (rolled up: loaders/queries/scan_plan.py rolled_up_select), without any "how people
    worked" metric (no team sizes asked), without the close-reason and spend metrics (no codes
    or spend read: every other column must be the same, so none may secretly depend on them), and
    with the quantiles and the close-reason and spend metrics of some groupings only (the Overview's
    weeks when the trend shows neither)."""
    for view in views:
        wanted = page(view)
        forget_probes()
        together = metrics_tables(engine, wanted, k, team)
        without = metrics_tables(engine, wanted, k, team, response_times=False)
        no_people = metrics_tables(engine, wanted, k, team, people=False)
        no_codes = metrics_tables(engine, wanted, k, team, close_reasons_and_spend=False)
        some = ((), ("market",))
        weeks_untimed = metrics_tables(engine, wanted, k, team, timed_groupings=some, coded_groupings=some)
        forget_probes()
        tables = zip(wanted, together, without, no_people, no_codes, weeks_untimed, strict=True)
        for query, frame, lean, leaner, uncosted, partly in tables:
            expected = metrics_table(engine, query, k, team)
            assert_frame_equal(frame, expected)
            assert_frame_equal(lean, expected.drop(QUANTILE_COLUMNS))
            people = [c for c in expected.columns if c in PEOPLE_METRICS or c == "team_suppressed"]
            assert_frame_equal(leaner, expected.drop(people))
            assert_frame_equal(uncosted, expected.drop(CODES_AND_SPEND_METRICS))
            chosen = query.group_by in some
            assert_frame_equal(
                partly, expected if chosen else expected.drop(QUANTILE_COLUMNS).drop(CODES_AND_SPEND_METRICS)
            )


@pytest.mark.parametrize("k", [5, 60])
def test_one_scan_equals_one_table_at_a_time_on_the_fly(filled: Warehouse, k: int) -> None:  # noqa: F811
    with facts_read_by(None):
        same_tables(filled.engine, queries(filled.engine), k)


def test_one_scan_equals_one_table_at_a_time_from_the_facts_and_their_catch_up(
    filled: Warehouse,  # noqa: F811
    demo_frames: dict[str, pl.DataFrame],  # noqa: F811
) -> None:
    engine = filled.engine
    refresh_lead_facts(engine)
    same_tables(engine, queries(engine), 5, team=3)
    _land_new_data(engine, demo_frames)
    same_tables(engine, queries(engine)[:1], 5)


def _page_statements(engine: Engine, **options: Any) -> tuple[tuple[pl.DataFrame, ...], list[str]]:
    """The tables of the first view's page from the materialised facts, and every statement sent."""
    refresh_lead_facts(engine)
    wanted = page(queries(engine)[0])
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    forget_probes()
    event.listen(engine, "before_cursor_execute", remember)
    try:
        frames = metrics_tables(engine, wanted, 5, **options)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return frames, statements


def test_a_page_is_counts_per_scan_and_codes_and_quantiles_per_period(filled: Warehouse) -> None:  # noqa: F811
    # total, previous and the groupings share a scan; the year-ago period and the empty one do not.
    assert len(plan_scans(page(queries(filled.engine)[0]))) == 3
    _, sent = _page_statements(filled.engine)
    statements = [s for s in sent if "GROUPING SETS" in s.upper()]
    # Counts per scan, codes and the exact quantiles per period (the first scan has two periods);
    # team sizes join the activities only for the groups whose busiest lead leaves the team
    # question open (loaders/queries/page_teams.py, tests/test_page_teams.py).
    joins = [s for s in statements if "AS salespeople" in s]
    quantiles = [s for s in statements if "AS median_first_response_min" in s]
    assert len(quantiles) == 2 + 1 + 1 and all("AS responded" in s for s in quantiles)
    assert len(statements) - len(joins) - len(quantiles) == 3 + 4 and len(joins) <= 3


def test_a_page_without_close_reasons_or_spend_reads_neither(filled: Warehouse) -> None:  # noqa: F811
    """Follow-up and Delivery show no vague-close rate, spend or cost: their scan reads no close
    reasons, no campaign spend and no per-code or per-campaign counts, only counts and quantiles."""
    frames, statements = _page_statements(filled.engine, close_reasons_and_spend=False)
    assert not [s for s in statements if "campaign_spend" in s or "FROM close_reasons" in s]
    assert not [s for s in statements if "rolled_up.close_reason_code" in s]  # the codes statement
    assert all(c not in f.columns for f in frames for c in CODES_AND_SPEND_METRICS)
    grouped = [s for s in statements if "GROUPING SETS" in s.upper() and "AS salespeople" not in s]
    assert len(grouped) == 3 + 4  # counts per scan, the exact quantiles per period
    # The pages that ask so: the dashboard passes the flag for exactly these two.
    for name in ("follow_up", "delivery"):
        source = (Path(__file__).resolve().parents[1] / "pages" / f"{name}.py").read_text()
        assert "close_reasons_and_spend=False" in source, name


def test_quantiles_are_asked_only_for_the_timed_groupings(filled: Warehouse) -> None:  # noqa: F811
    """The Overview asks its weeks without response times unless the trend draws one: the
    quantile statements then group by neither week nor the comparison period's week."""
    _, statements = _page_statements(filled.engine, timed_groupings=((),))
    quantiles = [
        s for s in statements if "AS median_first_response_min" in s and "GROUPING SETS" in s.upper()
    ]
    # Only the ungrouped slices: one statement per period with such a slice (2 + 1 + 1, as before).
    assert len(quantiles) == 4
    assert not [s for s in quantiles if "responded.week" in s or "responded.market" in s]


def test_codes_and_spend_are_asked_only_for_the_coded_groupings(filled: Warehouse) -> None:  # noqa: F811
    """The Overview asks its weeks without close reasons and spend unless the trend draws a cost or
    the vague closes: the codes statements then group by no week, and the weeks lack those columns."""
    frames, statements = _page_statements(filled.engine, coded_groupings=((),))
    codes = [s for s in statements if "rolled_up.close_reason_code" in s]
    assert len(codes) == 4  # one per period with an ungrouped slice, as with every grouping
    assert not [s for s in codes if "rolled_up.week" in s or "rolled_up.market" in s]
    for query, frame in zip(page(queries(filled.engine)[0]), frames, strict=True):
        has_codes = all(c in frame.columns for c in CODES_AND_SPEND_METRICS)
        assert has_codes == (query.group_by == ()), query.group_by
