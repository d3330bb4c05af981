"""A buyer who withdraws consent, or whose lead is erased, vanishes from every number at the next read.

Attack (issue 12, item 1): after ``leadline refresh``, a dealer's leads get ``consent = false``
or are deleted; before the fix, ``leadline metrics`` and the pages still counted them from
``leadline_lead_facts`` until the next refresh. Here every page table read from the facts
must equal the on-the-fly definition (which never reads a refused or missing lead) at once,
without a refresh and without forgetting the reader's cached probe; and the next refresh
must purge those rows from the facts (which also keep ``customer_key``). DuckDB and
PostgreSQL, consent=false and DELETE.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import Engine, create_engine, event, func, select, update

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.contract.tables import TABLES, lead_activities, lead_outcomes, leads
from loaders.contract.write import write_tables
from loaders.demo.generate import generate_demo
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import MaterialisedFacts, current_reader, forget_probes
from loaders.facts.table import lead_facts_table
from loaders.request.query import LeadQuery
from tests.conftest import Warehouse
from tests.test_lead_facts_materialised import assert_same_tables

pytestmark = pytest.mark.slow  # every page table on both paths, on two warehouses

END = date(2025, 6, 30)
AS_OF = datetime(2025, 7, 1, 6, 0)
K = 5
TableFn = Callable[[Engine, LeadQuery, int], pl.DataFrame]
TABLES_READ: list[tuple[str, TableFn]] = [("metrics_table", metrics_table)] + [
    (name, fn)
    for name, fn in inspect.getmembers(detail_tables, inspect.isfunction)
    if fn.__module__ == detail_tables.__name__ and not name.startswith("_")
]
YEAR = LeadQuery(END - timedelta(days=364), END, AS_OF, group_by=("dealer_id",))
WHOLE = LeadQuery(END - timedelta(days=364), END, AS_OF)


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    path = tmp_path_factory.mktemp("consent") / "demo.duckdb"
    generate_demo(path, leads=1200, seed=11, end=END)
    engine = create_engine(f"duckdb:///{path}")
    with engine.connect() as conn:
        frames = {}
        for name, table in TABLES.items():
            result = conn.execute(select(table))
            frames[name] = pl.DataFrame([tuple(r) for r in result], schema=list(result.keys()), orient="row")
    engine.dispose()
    return frames


@pytest.fixture
def refreshed(warehouse: Warehouse, demo_frames: dict[str, pl.DataFrame]) -> Iterator[Engine]:
    """The demo with freshly materialised facts, and the reader's probe already cached."""
    write_tables(warehouse.engine, demo_frames)
    forget_probes()
    assert refresh_lead_facts(warehouse.engine).mode == "full"
    forget_probes()
    reader = current_reader(warehouse.engine)  # cached for PROBE_SECONDS: the next reads reuse it
    assert isinstance(reader, MaterialisedFacts) and reader.catch_up_since is None
    yield warehouse.engine
    forget_probes()


def _busiest_dealer(engine: Engine) -> tuple[str, list[str]]:
    """The dealer with the most leads (all old enough to be untouched by a catch-up), and its leads."""
    with engine.connect() as conn:
        dealer = conn.execute(
            select(leads.c.dealer_id).group_by(leads.c.dealer_id).order_by(func.count().desc()).limit(1)
        ).scalar_one()
        ids = list(conn.execute(select(leads.c.lead_id).where(leads.c.dealer_id == dealer)).scalars())
    return str(dealer), ids


def _withdraw(engine: Engine, how: str, lead_ids: list[str]) -> None:
    with engine.begin() as conn:
        if how == "consent=false":
            conn.execute(update(leads).where(leads.c.lead_id.in_(lead_ids)).values(consent=False))
        else:
            conn.execute(lead_outcomes.delete().where(lead_outcomes.c.lead_id.in_(lead_ids)))
            conn.execute(lead_activities.delete().where(lead_activities.c.lead_id.in_(lead_ids)))
            conn.execute(leads.delete().where(leads.c.lead_id.in_(lead_ids)))


def _on_the_fly(engine: Engine, query: LeadQuery) -> dict[str, pl.DataFrame]:
    with facts_read_by(None):
        return {name: fn(engine, query, K) for name, fn in TABLES_READ}


def _differences(engine: Engine, query: LeadQuery, expected: dict[str, pl.DataFrame]) -> list[str]:
    different = []
    for name, fn in TABLES_READ:  # each reads the materialised facts by itself (cached probe)
        try:
            assert_same_tables(fn(engine, query, K), expected[name])
        except AssertionError as exc:
            different.append(f"{name}: {str(exc).splitlines()[0]}")
    return different


def _materialised_ids(engine: Engine, lead_ids: list[str]) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(lead_facts_table.c.lead_id).where(lead_facts_table.c.lead_id.in_(lead_ids))
        )
        return set(rows.scalars())


@pytest.mark.parametrize("how", ["consent=false", "DELETE"])
def test_a_withdrawn_or_erased_dealer_vanishes_at_the_next_read_and_from_the_facts_at_refresh(
    refreshed: Engine, how: str
) -> None:
    engine = refreshed
    dealer, lead_ids = _busiest_dealer(engine)
    before = metrics_table(engine, YEAR, K)
    assert dealer in before["dealer_id"].to_list()

    _withdraw(engine, how, lead_ids)
    # no forget_probes(): the reader probed before the change is still cached
    after = metrics_table(engine, YEAR, K)
    assert dealer not in after["dealer_id"].to_list(), "the refused/erased dealer is still counted"
    for query in (YEAR, WHOLE):
        assert _differences(engine, query, _on_the_fly(engine, query)) == []
    forget_probes()  # and once the probe has seen the change (the catch-up path)
    for query in (YEAR, WHOLE):
        assert _differences(engine, query, _on_the_fly(engine, query)) == []

    summary = refresh_lead_facts(engine)
    assert summary.mode in ("full", "incremental"), summary.describe()
    assert _materialised_ids(engine, lead_ids) == set(), "refused/erased leads still in the facts"
    forget_probes()
    for query in (YEAR, WHOLE):
        assert _differences(engine, query, _on_the_fly(engine, query)) == []


def test_an_erasure_that_keeps_every_count_is_still_caught(refreshed: Engine) -> None:
    """A lead is erased and another (at another dealer) is back-filled with its timestamp: row
    counts, refused counts and latest timestamps stay the same, so the reads' cheap probe cannot
    see it (docs/privacy.md, residual risk of section 1). The next refresh still purges it: it
    compares the facts with ``leads`` row by row, and was "current" (nothing purged) before."""
    engine = refreshed
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(leads)
                .where(leads.c.created_at >= datetime(2024, 8, 1))
                .order_by(leads.c.created_at)
                .limit(1)
            )
            .one()
            ._asdict()
        )
        other = conn.execute(select(leads.c.dealer_id).where(leads.c.dealer_id != row["dealer_id"]).limit(1))
        other_dealer = other.scalar_one()
    victim, dealer = row["lead_id"], row["dealer_id"]
    before = _dealer_leads(engine, dealer)
    _withdraw(engine, "DELETE", [victim])
    backfill = {**row, "lead_id": "BACKFILL-1", "customer_key": None, "dealer_id": other_dealer}
    write_tables(engine, {"leads": pl.DataFrame([backfill])})
    assert refresh_lead_facts(engine).mode == "incremental"  # before the fix: "current", nothing purged
    assert _materialised_ids(engine, [victim]) == set()
    forget_probes()
    assert _dealer_leads(engine, dealer) == before - 1


def _dealer_leads(engine: Engine, dealer: str) -> int:
    """The dealer's leads in the year, as the materialised facts (cached probe) give them."""
    table = metrics_table(engine, YEAR, 1)
    return int(table.filter(pl.col("dealer_id") == dealer)["leads"].sum())


@pytest.mark.parametrize("how", ["consent=false", "DELETE"])
def test_the_pages_cache_forgets_a_withdrawn_dealer_within_seconds(
    refreshed: Engine, warehouse: Warehouse, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dashboard caches tables for cache_ttl_seconds (300 s by default); the version of
    ``leads`` in the cache key makes a refusal or an erasure invalidate them at the next look."""
    from dashboard.data import cached

    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", warehouse.url)
    cached.clear_caches()
    page_metrics = cached.cached(metrics_table)
    dealer, lead_ids = _busiest_dealer(refreshed)
    refreshed.dispose()  # a DuckDB file is opened by one configuration at a time in a process
    assert dealer in page_metrics(YEAR, K)["dealer_id"].to_list()
    cached.reset_connections()

    _withdraw(refreshed, how, lead_ids)
    refreshed.dispose()
    monkeypatch.setattr(cached, "LEADS_VERSION_SECONDS", 3600.0)  # control: the version not re-read
    assert dealer in page_metrics(YEAR, K)["dealer_id"].to_list(), "the cache did not cache"
    monkeypatch.setattr(cached, "LEADS_VERSION_SECONDS", 0.0)  # the next look at the version
    assert dealer not in page_metrics(YEAR, K)["dealer_id"].to_list(), "a cached page still counts them"
    cached.clear_caches()
    cached.reset_connections()


def test_one_read_looks_at_leads_once_and_the_next_read_again(refreshed: Engine) -> None:
    """The probe (when due), the consent check and the small-team flags' data version of one read
    share one look at ``leads`` (``one_check_per_read``); the next read, even a moment later, looks
    again, so a refusal in between is seen (the tests above)."""
    from dashboard.data.tables import metrics_tables

    looks: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "leads.consent = false" in statement:
            looks.append(statement)

    forget_probes()  # the first read probes too
    event.listen(refreshed, "before_cursor_execute", remember)
    try:
        metrics_tables(refreshed, (WHOLE, YEAR), K, share_team_flags=True)
        assert len(looks) == 1, looks
        metrics_table(refreshed, YEAR, K)
        assert len(looks) == 2, looks
    finally:
        event.remove(refreshed, "before_cursor_execute", remember)
