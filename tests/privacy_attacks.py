"""The differencing attacks of issue 12, written once: run by the suite and by the measurement.

Each attack uses only what a viewer gets (the metrics table after suppression, through the
period a non-admin viewer is given) and counts how often it recovers something suppression
should have hidden. The suite runs them on small warehouses (tests/test_privacy_attacks.py);
the recovery rates in docs/privacy.md come from

    PYTHONPATH=. python -m tests.privacy_attacks duckdb:////tmp/demo.duckdb

on ``leadline demo --leads 20000 --seed 3``, once on main's code and once on this code (the
module works with both: without ``dashboard.data.period_guard`` the period is not guarded).
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Engine, create_engine, text

from dashboard.data.peer_table import network_median_table
from dashboard.data.tables import metrics_table
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope

Guard = Callable[[Engine, LeadQuery, int], tuple[date, date]]
Table = Callable[[Engine, LeadQuery, int], pl.DataFrame]
AS_OF = datetime(2026, 11, 27)


@dataclass
class Rate:
    """How often an attack recovered something, out of how many tries."""

    recovered: int = 0
    tries: int = 0

    def __str__(self) -> str:
        share = 100.0 * self.recovered / self.tries if self.tries else 0.0
        return f"{self.recovered} of {self.tries} ({share:.1f} %)"


def unsafe_slices(
    frame: pl.DataFrame, group_by: Sequence[str], flag: str, size: str, min_size: int
) -> list[tuple[Any, ...]]:
    """Slices (rows and columns of the breakdown) whose hidden set is one group alone, or under
    ``min_size`` in all, while some group of the slice is still shown: there, total minus shown
    groups recovers the hidden one(s). Empty when complementary suppression did its work."""
    bad: list[tuple[Any, ...]] = []
    rows = frame.select(*group_by, flag, size).rows()
    n = len(group_by)
    for axis in range(n):
        slices: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for row in rows:
            slices.setdefault(row[:axis] + row[axis + 1 : n], []).append(row)
        for key, members in slices.items():
            hidden = [m for m in members if m[n] and (m[n + 1] or 0) > 0]  # empty groups hold nothing
            shown = [m for m in members if not m[n]]
            if hidden and shown and (len(hidden) < 2 or sum(m[n + 1] or 0 for m in hidden) < min_size):
                bad.append((axis, key))
    return bad


def guard_of_this_code() -> Guard | None:
    """The period guard non-admin viewers get, or None on code that has none (main before issue 12)."""
    try:
        from dashboard.data import period_guard
    except ImportError:
        return None
    return period_guard.guarded_period


def truth_table(engine: Engine, query: LeadQuery) -> pl.DataFrame:
    """What an administrator would see with nothing suppressed: to check what an attack recovered."""
    if "min_team_size" in inspect.signature(metrics_table).parameters:
        return metrics_table(engine, query, 0, 0)  # type: ignore[call-arg]
    return metrics_table(engine, query, 0)


def total_minus_groups(
    engine: Engine, queries: Iterable[LeadQuery], k: int, table: Table = metrics_table
) -> Rate:
    """Per grouped view: the total (same query, no grouping) minus the shown groups.

    A view counts as recovered when one hidden group's leads (every metric hidden) or one
    group's duplicate contacts (a "how people worked" count) follow exactly from the total.
    """
    rate = Rate()
    for query in queries:
        rate.tries += 1
        total = table(engine, dataclasses.replace(query, group_by=()), k).row(0, named=True)
        grouped = table(engine, query, k)
        truth = truth_table(engine, query)
        if _recovers(total, grouped, truth, query.group_by, "leads") or _recovers(
            total, grouped, truth, query.group_by, "duplicate_contact"
        ):
            rate.recovered += 1
    return rate


def _recovers(
    total: dict[str, Any], grouped: pl.DataFrame, truth: pl.DataFrame, keys: Sequence[str], column: str
) -> bool:
    if total[column] is None:
        return False
    hidden = grouped.filter(pl.col(column).is_null())
    if hidden.height != 1:
        return False
    if column != "leads" and hidden["contacted"][0] == 0:
        return False  # nobody contacted, and that is shown: its 0 duplicate contacts reveal nothing
    derived = total[column] - int(grouped[column].drop_nulls().sum())
    actual = truth.join(hidden.select(keys), on=list(keys), nulls_equal=True)[column]
    return actual.len() == 1 and actual[0] == derived


def overlapping_periods(
    engine: Engine,
    dealer_ids: Sequence[str],
    start: date,
    end: date,
    k: int,
    guard: Guard | None,
    scope: Scope | AccessScope | None = None,
) -> Rate:
    """``[d, end]`` minus ``[d + 1, end]`` for a dealer, for each day d with a lead: recovered when
    both views show numbers and differ by 1 to K - 1 leads (whose outcomes the difference reveals).

    ``guard`` widens each period as the viewer's dashboard does (None: as asked for).
    """
    scope = Scope.everything() if scope is None else scope
    days = _leads_per_dealer_day(engine, dealer_ids, start, end)
    rate = Rate()
    seen: dict[tuple[str, date, date], dict[str, Any]] = {}

    def view(dealer: str, first: date) -> dict[str, Any]:
        query = LeadQuery(first, end, AS_OF, filters=(("dealer_id", (dealer,)),), scope=scope)
        if guard is not None:
            period = guard(engine, query, k)
            query = dataclasses.replace(query, start=period[0], end=period[1])
        key = (dealer, query.start, query.end)
        if key not in seen:
            seen[key] = metrics_table(engine, query, k).row(0, named=True)
        return seen[key]

    for dealer, day in days:
        if day >= end:
            continue
        rate.tries += 1
        wide, narrow = view(dealer, day), view(dealer, day + timedelta(days=1))
        if wide["leads"] is None or narrow["leads"] is None:
            continue
        if 1 <= wide["leads"] - narrow["leads"] < k:
            rate.recovered += 1
    return rate


def _leads_per_dealer_day(
    engine: Engine, dealer_ids: Sequence[str], start: date, end: date
) -> list[tuple[str, date]]:
    """The (dealer, day) pairs with at least one consenting lead: the attack's targets."""
    stop = end + timedelta(days=1)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT dealer_id, CAST(created_at AS DATE) FROM leads "
                "WHERE created_at >= :start AND created_at < :stop AND (consent IS NULL OR consent) "
                "ORDER BY 1, 2"
            ),
            {
                "start": datetime.combine(start, datetime.min.time()),
                "stop": datetime.combine(stop, datetime.min.time()),
            },
        ).all()
    wanted = set(dealer_ids)
    return [
        (d, day if isinstance(day, date) else date.fromisoformat(str(day))) for d, day in rows if d in wanted
    ]


def network_median_views(
    engine: Engine, own: AccessScope, views: Iterable[LeadQuery], k: int
) -> tuple[Rate, int]:
    """Per view, the network median a principal with ``own`` sees, against every other dealer's figure.

    Recovered: the follow-up-rate median is shown and equals exactly one other dealer's figure
    (with few dealers, a principal who knows the others roughly can name whose). Also returns
    how many views showed a median at all.
    """
    rate, shown = Rate(), 0
    for query in views:
        rate.tries += 1
        median = network_median_table(engine, query, own, k).row(0, named=True)
        value = median["follow_up_rate"]
        if value is None:
            continue
        shown += 1
        figures = _other_dealer_figures(engine, query, own, k)
        if sum(math.isclose(value, f, abs_tol=1e-12) for f in figures) == 1:
            rate.recovered += 1
    return rate, shown


def _other_dealer_figures(engine: Engine, query: LeadQuery, own: AccessScope, k: int) -> list[float]:
    own_dealers = truth_table(engine, dataclasses.replace(query, group_by=("dealer_id",)))[
        "dealer_id"
    ].to_list()
    brands = truth_table(engine, dataclasses.replace(query, group_by=("brand",)))["brand"].to_list()
    filters = {d: v for d, v in query.filters if d not in ("dealer_id", "dealer_group_id")}
    filters["brand"] = tuple(brands)
    peers = LeadQuery(
        query.start,
        query.end,
        query.as_of,
        group_by=("dealer_id",),
        filters=LeadQuery.make_filters(dict(filters)),
    )
    table = truth_table(engine, peers).filter(
        ~pl.col("dealer_id").is_in(own_dealers) & (pl.col("leads") >= k)
    )
    del own
    return [float(v) for v in table["follow_up_rate"].drop_nulls()]


def _days(last: date, n: int) -> list[tuple[date, date]]:
    return [(last - timedelta(days=i), last - timedelta(days=i)) for i in range(n)]


def _weeks(last_monday: date, n: int) -> list[tuple[date, date]]:
    return [(m, m + timedelta(days=6)) for m in (last_monday - timedelta(weeks=i) for i in range(n))]


def _months(first: date, n: int) -> list[tuple[date, date]]:
    out = []
    for i in range(n):
        month = (first.month - 1 + i) % 12 + 1
        year = first.year + (first.month - 1 + i) // 12
        nxt = date(year + month // 12, month % 12 + 1, 1)
        out.append((date(year, month, 1), nxt - timedelta(days=1)))
    return out


def measure(url: str, k: int = 5) -> dict[str, str]:
    """Every attack on the demo warehouse at ``url`` (``leadline demo --leads 20000 --seed 3``)."""
    engine = create_engine(url)
    guard = guard_of_this_code()
    principal = AccessScope.of([Scope(dealer_group_ids=("G01",))])

    def grouped(periods: Iterable[tuple[date, date]], dim: str, scope: Any = None) -> list[LeadQuery]:
        scope = Scope.everything() if scope is None else scope
        return [LeadQuery(s, e, AS_OF, group_by=(dim,), scope=scope) for s, e in periods]

    with engine.connect() as conn:
        dealers = [r[0] for r in conn.execute(text("SELECT dealer_id FROM dealers ORDER BY 1"))]
        lead_types = [r[0] for r in conn.execute(text("SELECT DISTINCT lead_type FROM leads ORDER BY 1"))]
    months = _months(date(2025, 11, 1), 13)
    results = {
        "days by brand (last 60)": str(
            total_minus_groups(engine, grouped(_days(date(2026, 11, 26), 60), "brand"), k)
        ),
        "days by market (last 60)": str(
            total_minus_groups(engine, grouped(_days(date(2026, 11, 26), 60), "market"), k)
        ),
        "weeks by lead type (last 55)": str(
            total_minus_groups(engine, grouped(_weeks(date(2026, 11, 16), 55), "lead_type"), k)
        ),
        "months by dealer, group G01 (13)": str(
            total_minus_groups(engine, grouped(months, "dealer_id", principal), k)
        ),
        "dealer-days of June 2026, overlapping periods": str(
            overlapping_periods(engine, dealers, date(2026, 6, 1), date(2026, 6, 30), k, guard)
        ),
    }
    views = [
        LeadQuery(s, e, AS_OF, filters=(("lead_type", (t,)),), scope=principal)
        for s, e in months
        for t in lead_types[:3]
    ]
    median_rate, shown = network_median_views(engine, principal, views, k)
    results["network median = one other dealer, G01, month x lead type"] = f"{median_rate}; shown in {shown}"
    engine.dispose()
    return results


def main() -> None:
    """Print every recovery rate for a warehouse URL."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    for name, rate in measure(args.url, args.k).items():
        print(f"{name}: {rate}")


if __name__ == "__main__":
    main()
