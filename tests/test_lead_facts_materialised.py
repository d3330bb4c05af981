"""The materialised lead facts give exactly the numbers of the on-the-fly definition.

On a generated demo warehouse (plus edge cases: a dealer in an unknown time zone, two
simultaneous leads of one buyer, a refused-consent earlier lead) every page table is computed
twice, on the fly and from ``leadline_lead_facts``, on DuckDB and PostgreSQL, and must be
equal. New data landing after a refresh must show at once (catch-up) and an incremental
refresh must leave the same rows as a full rebuild.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, Result, create_engine, event, func, select, update
from sqlalchemy import inspect as inspect_database

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.contract.tables import TABLES, dealers, lead_outcomes, leads
from loaders.contract.write import write_tables
from loaders.demo.generate import generate_demo
from loaders.facts.build import TABLE_COLUMNS
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import MaterialisedFacts, current_reader, forget_probes
from loaders.facts.table import lead_facts_table, refresh_ids_table
from loaders.request.access_scope import AccessScope
from loaders.request.query import LeadQuery, Scope
from tests.conftest import Warehouse

pytestmark = pytest.mark.slow  # each table is computed on both paths, on two warehouses

END = date(2025, 6, 30)
AS_OF = datetime(2025, 7, 1, 6, 0)
K = 5
TableFn = Callable[[Engine, LeadQuery, int], pl.DataFrame]
TABLE_FUNCTIONS: list[tuple[str, TableFn]] = [("metrics_table", metrics_table)] + [
    (name, fn)
    for name, fn in inspect.getmembers(detail_tables, inspect.isfunction)
    if fn.__module__ == detail_tables.__name__ and not name.startswith("_")
]


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """A small generated demo plus edge cases, as frames per contract table."""
    path = tmp_path_factory.mktemp("facts") / "demo.duckdb"
    generate_demo(path, leads=1500, seed=5, end=END)
    engine = create_engine(f"duckdb:///{path}")
    with engine.connect() as conn:
        frames = {name: _frame(conn.execute(select(table))) for name, table in TABLES.items()}
    engine.dispose()
    return _with_edge_cases(frames)


def _with_edge_cases(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    template = frames["leads"].sort("created_at").tail(1)
    moment = template["created_at"][0] - timedelta(days=3)
    mars = frames["dealers"].head(1).with_columns(dealer_id=pl.lit("D-MARS"), timezone=pl.lit("Mars/Olympus"))
    extra = pl.concat(
        [
            template.with_columns(
                lead_id=pl.lit(lead_id), created_at=pl.lit(at), customer_key=pl.lit(key), **more
            )
            for lead_id, at, key, more in [
                ("EDGE-1", moment, "edge-buyer", {}),
                ("EDGE-2", moment, "edge-buyer", {}),  # same instant: exactly one of the two is double
                ("EDGE-3", moment - timedelta(days=1), "edge-refused", {"consent": pl.lit(False)}),
                ("EDGE-4", moment, "edge-refused", {"dealer_id": pl.lit("D-MARS")}),
            ]
        ]
    )
    return {
        **frames,
        "dealers": pl.concat([frames["dealers"], mars]),
        "leads": pl.concat([frames["leads"], extra]),
    }


@pytest.fixture
def filled(warehouse: Warehouse, demo_frames: dict[str, pl.DataFrame]) -> Iterator[Warehouse]:
    """The warehouse holding the demo, with no materialised facts yet."""
    write_tables(warehouse.engine, demo_frames)
    forget_probes()
    yield warehouse
    forget_probes()


def queries(engine: Engine) -> list[LeadQuery]:
    """A year by dealer group; a quarter of one brand by week under a union of grants; one source."""
    with engine.connect() as conn:
        brand, group = conn.execute(
            select(leads.c.brand, dealers.c.dealer_group_id).join(
                dealers, dealers.c.dealer_id == leads.c.dealer_id
            )
        ).first() or ("", "")
        source = conn.execute(
            select(leads.c.source).group_by(leads.c.source).order_by(func.count().desc())
        ).scalar()
    year = LeadQuery(END - timedelta(days=364), END, AS_OF, group_by=("dealer_group_id",))
    quarter = LeadQuery(
        END - timedelta(days=90),
        END,
        AS_OF,
        group_by=("week",),
        filters=LeadQuery.make_filters({"brand": [brand]}),
        scope=AccessScope.of([Scope(dealer_group_ids=(group,)), Scope(brands=(brand,))]),
    )
    one_source = LeadQuery(
        END - timedelta(days=364), END, AS_OF, filters=LeadQuery.make_filters({"source": [source]})
    )
    return [year, quarter, one_source]


def assert_same_tables(got: Any, wanted: Any) -> None:
    """``assert_frame_equal`` of a table function's answer: one frame, or a tuple of them."""
    pairs = zip(got, wanted, strict=True) if isinstance(got, tuple) else [(got, wanted)]
    for frame, expected in pairs:
        assert_frame_equal(frame, expected)


def differences(engine: Engine, query: LeadQuery, expected: dict[str, pl.DataFrame]) -> list[str]:
    """Names of the tables whose materialised answer differs from ``expected`` (on the fly)."""
    forget_probes()
    different = []
    for name, fn in TABLE_FUNCTIONS:  # each reads the materialised facts by itself
        got, wanted = fn(engine, query, K), expected[name]
        pairs = (
            zip(got, wanted, strict=True) if isinstance(got, tuple) else [(got, wanted)]
        )  # a pair of tables
        try:
            for frame, expected_frame in pairs:
                assert_frame_equal(frame, expected_frame)
        except AssertionError as exc:
            different.append(f"{name}: {str(exc).splitlines()[0]}")
    return different


def on_the_fly(engine: Engine, query: LeadQuery) -> dict[str, pl.DataFrame]:
    with facts_read_by(None):  # the table functions would read the facts by themselves
        return {name: fn(engine, query, K) for name, fn in TABLE_FUNCTIONS}


def test_every_table_is_the_same_from_the_materialised_facts(filled: Warehouse) -> None:
    engine = filled.engine
    assert current_reader(engine) is None  # no facts yet: on the fly
    expected = [on_the_fly(engine, q) for q in queries(engine)]
    assert refresh_lead_facts(engine).mode == "full"
    forget_probes()
    reader = current_reader(engine)
    assert isinstance(reader, MaterialisedFacts) and reader.catch_up_since is None
    for query, tables in zip(queries(engine), expected, strict=True):
        assert differences(engine, query, tables) == []
    assert len(TABLE_FUNCTIONS) >= 15


def _land_new_data(engine: Engine, frames: dict[str, pl.DataFrame]) -> None:
    """A new day: new leads (one a double of an existing buyer), a contact on an old lead, an old lead closed."""
    newest = frames["leads"].sort("created_at").tail(3)
    last = newest["created_at"].max()
    assert isinstance(last, datetime)
    new_leads = newest.with_columns(
        lead_id=pl.concat_str(pl.lit("NEW-"), pl.col("lead_id")),
        created_at=pl.col("created_at") + timedelta(hours=20),
        delivered_at=pl.col("created_at") + timedelta(hours=20),
    )
    old = frames["leads"].sort("created_at")[len(frames["leads"]) // 2]
    contact = pl.DataFrame(
        {
            "activity_id": ["NEW-A1", "NEW-A2"],
            "lead_id": [new_leads["lead_id"][0], old["lead_id"][0]],
            "occurred_at": [last + timedelta(hours=21), last + timedelta(hours=2)],
            "channel": ["phone", "email"],
            "direction": ["outbound", "outbound"],
            "automated": [False, False],
            "actor_key": ["new-actor", "another-actor"],
        }
    )
    write_tables(engine, {"leads": new_leads, "lead_activities": contact})
    open_lead = frames["lead_outcomes"].filter(pl.col("closed_at").is_null())["lead_id"][0]
    with engine.begin() as conn:
        conn.execute(
            update(lead_outcomes)
            .where(lead_outcomes.c.lead_id == open_lead)
            .values(closed_at=last + timedelta(hours=3), close_reason_code="no_interest")
        )


def facts_rows(engine: Engine) -> pl.DataFrame:
    with engine.connect() as conn:
        rows = _frame(conn.execute(select(*(lead_facts_table.c[n] for n in TABLE_COLUMNS))))
    return rows.sort("lead_id")


def _frame(result: Result[Any]) -> pl.DataFrame:
    return pl.DataFrame([tuple(row) for row in result], schema=list(result.keys()), orient="row")


def test_new_data_shows_at_once_and_an_incremental_refresh_equals_a_full_build(
    filled: Warehouse, demo_frames: dict[str, pl.DataFrame]
) -> None:
    engine = filled.engine
    refresh_lead_facts(engine)
    _land_new_data(engine, demo_frames)
    year = queries(engine)[0]
    year = LeadQuery(year.start, END + timedelta(days=2), AS_OF + timedelta(days=2), group_by=year.group_by)
    expected = on_the_fly(engine, year)
    forget_probes()
    reader = current_reader(engine)
    assert isinstance(reader, MaterialisedFacts) and reader.catch_up_since is not None
    assert differences(engine, year, expected) == []  # catch-up before any refresh

    summary = refresh_lead_facts(engine)
    assert summary.mode == "incremental", summary.describe()
    assert 0 < summary.rows_written < len(demo_frames["leads"]) // 10
    with engine.connect() as conn:  # the list of leads to recompute lives only inside the refresh
        assert not inspect_database(conn).has_table(refresh_ids_table.name)
    incremental = facts_rows(engine)
    assert refresh_lead_facts(engine, full=True).mode == "full"
    assert_frame_equal(incremental, facts_rows(engine))
    assert differences(engine, year, expected) == []
    assert refresh_lead_facts(engine).mode == "current"


@pytest.mark.parametrize("change", ["old lead deleted", "dealer moved to another group"])
def test_changes_without_timestamps_rebuild_everything(filled: Warehouse, change: str) -> None:
    engine = filled.engine
    refresh_lead_facts(engine)
    with engine.begin() as conn:
        if change == "old lead deleted":
            oldest = conn.execute(select(leads.c.lead_id).order_by(leads.c.created_at).limit(1)).scalar_one()
            conn.execute(lead_outcomes.delete().where(lead_outcomes.c.lead_id == oldest))
            conn.execute(
                TABLES["lead_activities"].delete().where(TABLES["lead_activities"].c.lead_id == oldest)
            )
            conn.execute(leads.delete().where(leads.c.lead_id == oldest))
        else:
            dealer = conn.execute(select(dealers.c.dealer_id).limit(1)).scalar_one()
            conn.execute(update(dealers).where(dealers.c.dealer_id == dealer).values(dealer_group_id="G-NEW"))
    query = queries(engine)[0]
    expected = on_the_fly(engine, query)
    forget_probes()
    if change == "dealer moved to another group":
        assert current_reader(engine) is None  # facts built from other dealers are not read at all
    assert refresh_lead_facts(engine).mode == "full"
    assert differences(engine, query, expected) == []


def test_a_warehouse_without_facts_is_read_on_the_fly(duckdb_warehouse: Warehouse, tmp_path: Path) -> None:
    write_tables(duckdb_warehouse.engine, {"leads": pl.DataFrame(schema={"lead_id": pl.String()})})
    forget_probes()
    assert current_reader(duckdb_warehouse.engine) is None


def test_the_table_functions_read_the_facts_by_themselves(filled: Warehouse) -> None:
    """Without any block around them, pages' and the CLI's calls read the materialised facts."""
    engine = filled.engine
    refresh_lead_facts(engine)
    forget_probes()
    query = queries(engine)[0]
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(str(args[2])))
    detail_tables.funnel(engine, query, K)
    grouped = [sql for sql in seen if "GROUP BY" in sql]
    assert grouped and all("leadline_lead_facts" in sql and "lead_activities" not in sql for sql in grouped)
