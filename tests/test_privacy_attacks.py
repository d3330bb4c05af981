"""Issue 12, item 3: differencing must not undo suppression. The attacks of tests/privacy_attacks.py
on a small demo warehouse: each recovers hidden figures under the old rules and nothing now."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.data.period_guard import guarded_period
from loaders.demo.generate import generate_demo
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope
from metrics.registry import METRIC_COLUMNS
from metrics.suppression import suppress_small_groups
from tests import privacy_attacks as attacks

K = 5
END = date(2026, 6, 30)
AS_OF = datetime(2026, 7, 1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("attacks") / "demo.duckdb"
    generate_demo(path, leads=3000, seed=3, end=END)
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def old_rule(engine: Engine, query: LeadQuery, k: int) -> pl.DataFrame:
    """The metrics table as main showed it before issue 12: small groups blanked, nothing else."""
    table = attacks.truth_table(engine, query)
    return suppress_small_groups(table, lead_count="leads", value_columns=METRIC_COLUMNS, min_group_size=k)


def _views(dim: str, periods: list[tuple[date, date]]) -> list[LeadQuery]:
    return [LeadQuery(s, e, AS_OF, group_by=(dim,)) for s, e in periods]


DAYS = [(END - timedelta(days=i), END - timedelta(days=i)) for i in range(20)]
WEEKS = [(date(2026, 6, 22) - timedelta(weeks=i), date(2026, 6, 28) - timedelta(weeks=i)) for i in range(12)]


@pytest.mark.parametrize(("dim", "periods"), [("brand", DAYS), ("market", WEEKS), ("lead_type", WEEKS)])
def test_total_minus_shown_groups_recovers_nothing(
    engine: Engine, dim: str, periods: list[tuple[date, date]]
) -> None:
    before = attacks.total_minus_groups(engine, _views(dim, periods), K, table=old_rule)
    after = attacks.total_minus_groups(engine, _views(dim, periods), K)
    assert before.recovered > 0, f"the attack found nothing to recover on the old rules: {before}"
    assert after.recovered == 0, after


def test_two_dimensional_tables_are_safe_per_row_and_column(engine: Engine) -> None:
    query = LeadQuery(date(2026, 5, 1), END, AS_OF, group_by=("week", "market"))
    table = attacks.metrics_table(engine, query, K)
    truth = attacks.truth_table(engine, query).select("week", "market", "leads")
    flagged = table.drop("leads").join(truth, on=["week", "market"], nulls_equal=True)
    assert flagged["suppressed"].any()
    assert attacks.unsafe_slices(flagged, ("week", "market"), "suppressed", "leads", K) == []
    old = old_rule(engine, query, K).drop("leads").join(truth, on=["week", "market"], nulls_equal=True)
    assert attacks.unsafe_slices(old, ("week", "market"), "suppressed", "leads", K) != []


def _dealers(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT dealer_id FROM dealers ORDER BY 1 LIMIT 12"))]


def test_overlapping_periods_reveal_no_lead_to_non_admins(engine: Engine) -> None:
    dealers = _dealers(engine)
    start = date(2026, 4, 1)
    before = attacks.overlapping_periods(engine, dealers, start, END, K, guard=None)
    after = attacks.overlapping_periods(engine, dealers, start, END, K, guard=guarded_period)
    assert before.recovered > 0, before
    assert after.tries == before.tries and after.recovered == 0, after


def test_guarded_periods_hold_at_least_k_leads_between_them(engine: Engine) -> None:
    """Any two guarded periods of one dealer differ by whole blocks of at least K leads."""
    query = LeadQuery(date(2026, 1, 1), END, AS_OF, filters=(("dealer_id", (_dealers(engine)[0],)),))
    starts = {guarded_period(engine, dataclasses.replace(query, start=query.start + timedelta(days=i)), K)[0]
              for i in range(150)}  # fmt: skip
    truth = attacks.truth_table
    leads = [
        truth(engine, dataclasses.replace(query, start=s, end=query.end))["leads"][0] or 0
        for s in sorted(starts)
    ]
    gaps = [a - b for a, b in itertools.pairwise(leads)]
    assert len(starts) > 3 and all(gap >= K for gap in gaps), gaps


def test_network_median_is_never_one_other_dealers_figure(engine: Engine) -> None:
    own = AccessScope.of([Scope(dealer_group_ids=("G01",))])
    months = [(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1)) for m in range(1, 6)]
    views = [LeadQuery(s, e, AS_OF, scope=own) for s, e in months]
    views += [
        dataclasses.replace(v, filters=(("lead_type", ("new_vehicle", "used_vehicle")),)) for v in views
    ]
    rate, shown = attacks.network_median_views(engine, own, views, K)
    assert shown > 0 and rate.recovered == 0, (rate, shown)
