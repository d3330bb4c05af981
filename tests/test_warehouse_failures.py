"""A failing warehouse: unreachable at start, gone mid-session, too slow, its file replaced or locked.

Each fault is made to happen for real: a PostgreSQL server of our own that the test stops and
starts (tests/pg_instance.py), DuckDB files that `leadline demo` replaces while they are read,
another process holding a DuckDB file's write lock, and views slow enough to hit the time limit.
The user must see a message saying what to do with a Retry button, keep the numbers already
shown, and the server must recover without a restart.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from sqlalchemy import create_engine, select, text
from streamlit.testing.v1 import AppTest

from common.errors import QueryTimeout, WarehouseUnavailable
from dashboard.data import cached as data
from dashboard.data.tables import metrics_table
from loaders.contract.check import check_contract
from loaders.contract.data_quality import check_data_quality
from loaders.contract.tables import TABLES
from loaders.contract.write import write_tables
from loaders.demo.generate import generate_demo
from loaders.request.query import LeadQuery
from loaders.warehouse.duckdb_file_gate import gate_for
from loaders.warehouse.engine import make_engine
from loaders.warehouse.errors import warehouse_error
from tests.conftest import PG_SERVER
from tests.pg_instance import PostgresInstance
from tests.test_app_pages import APP

ALL_TIME = LeadQuery(date(2000, 1, 1), date(2100, 1, 1), datetime(2100, 1, 1))
SLOW = "(SELECT count(*) FROM range(50000000000)) > 0"  # seconds of work, never finished in time


@pytest.fixture(scope="module")
def demo_frames(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """A small demo ending today, as frames per contract table."""
    path = tmp_path_factory.mktemp("failures") / "demo.duckdb"
    generate_demo(path, leads=3000, seed=11)
    engine = create_engine(f"duckdb:///{path}")
    with engine.connect() as conn:
        frames = {name: pl.read_database(select(table), conn) for name, table in TABLES.items()}
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def own_postgres(demo_frames: dict[str, pl.DataFrame]) -> Iterator[PostgresInstance]:
    """A running PostgreSQL server of this module only, holding the demo."""
    server = PostgresInstance()
    server.start()
    engine = create_engine(server.url)
    write_tables(engine, demo_frames)
    engine.dispose()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def running(own_postgres: PostgresInstance) -> Iterator[PostgresInstance]:
    """The module's server, running when the test starts and again after it."""
    yield own_postgres
    with contextlib.suppress(RuntimeError):  # it was running
        own_postgres.start()


def app_on(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", url)
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=90)


def leads_tile(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Leads")


def click_retry(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Retry").click().run()


def test_postgres_unreachable_at_start_shows_retry_and_recovers(
    running: PostgresInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    running.stop()
    at = app_on(running.url, monkeypatch)
    at.run()
    assert not at.exception
    assert at.error and "did not answer" in at.error[0].value
    assert "press Retry" in at.error[0].value
    running.start()
    click_retry(at)
    assert not at.exception
    assert not at.error
    assert leads_tile(at)


def test_postgres_going_away_mid_session_keeps_the_numbers_shown(
    running: PostgresInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_on(running.url, monkeypatch)
    at.run()
    shown = leads_tile(at)
    running.stop()
    st.cache_data.clear()  # as when the cached tables expire while the warehouse is away
    at.run()
    assert not at.exception
    assert leads_tile(at) == shown
    stale = [w.value for w in at.warning if "Showing results from" in w.value]
    assert stale and "the warehouse is not answering" in stale[0] and "press Retry" in stale[0]
    at.selectbox(key="flt_compare").select("year").run()  # a view never computed: an error, no crash
    assert not at.exception
    assert any("did not answer" in e.value for e in at.error)
    running.start()
    click_retry(at)
    assert not at.exception
    assert not at.error
    assert not [w for w in at.warning if "Showing results from" in w.value]
    assert leads_tile(at) == shown


def test_postgres_restart_between_queries_is_invisible(running: PostgresInstance) -> None:
    engine = make_engine(running.url, query_timeout_seconds=10)
    try:
        before = metrics_table(engine, ALL_TIME, 1)["leads"][0]
        running.stop()
        running.start()
        assert metrics_table(engine, ALL_TIME, 1)["leads"][0] == before  # pool_pre_ping reconnects
    finally:
        engine.dispose()


def test_postgres_statement_timeout_abandons_a_slow_query(pg_available: None) -> None:
    engine = make_engine(PG_SERVER, query_timeout_seconds=1)
    try:
        started = time.monotonic()
        with pytest.raises(Exception) as raised, engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 4
        error = warehouse_error(PG_SERVER, raised.value, 1)
        assert isinstance(error, QueryTimeout)
        assert "within 1 s" in error.message and "LEADLINE_QUERY_TIMEOUT_SECONDS" in error.hint
        with engine.connect() as conn:  # the session settings survive and the connection is usable
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1s"
            assert conn.execute(text("SHOW TimeZone")).scalar() == "UTC"
    finally:
        engine.dispose()


def test_postgres_sessions_sort_in_memory_unless_the_url_says_otherwise(pg_available: None) -> None:
    # The exact quantiles sort a period's response times: 4 MB (the server default) spills to disk.
    cases = (
        (PG_SERVER, "64MB", "public"),
        (f"{PG_SERVER}?options=-c%20work_mem%3D8MB", "8MB", "public"),
        # Other options of the URL stay, and work_mem is added to them.
        (f"{PG_SERVER}?options=-csearch_path%3Dleadline_x", "64MB", "leadline_x"),
    )
    for url, expected, schema in cases:
        engine = make_engine(url, query_timeout_seconds=5)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW work_mem")).scalar() == expected, url
                assert conn.execute(text("SHOW search_path")).scalar().endswith(schema), url
                assert conn.execute(text("SHOW TimeZone")).scalar() == "UTC"
        finally:
            engine.dispose()


def slow_duckdb_warehouse(path: Path, frames: dict[str, pl.DataFrame]) -> str:
    """A DuckDB warehouse whose ``leads`` is a view that takes far longer than any time limit."""
    engine = make_engine(f"duckdb:///{path}", read_only=False)
    write_tables(engine, frames)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE leads RENAME TO leads_data"))
        conn.execute(text(f"CREATE VIEW leads AS SELECT * FROM leads_data WHERE {SLOW}"))
    engine.dispose()
    return f"duckdb:///{path}"


def test_duckdb_query_past_the_time_limit_is_abandoned_with_a_hint(
    tmp_path: Path, demo_frames: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = slow_duckdb_warehouse(tmp_path / "slow.duckdb", demo_frames)
    monkeypatch.setenv("LEADLINE_QUERY_TIMEOUT_SECONDS", "0.5")
    at = app_on(url, monkeypatch)
    started = time.monotonic()
    at.run()
    assert time.monotonic() - started < 30
    assert not at.exception
    assert at.error and "did not finish a query within 0.5 s" in at.error[0].value
    assert any(b.label == "Retry" for b in at.button)


def test_data_quality_checks_past_the_time_limit_report_a_timeout(
    tmp_path: Path, demo_frames: dict[str, pl.DataFrame]
) -> None:
    url = slow_duckdb_warehouse(tmp_path / "slow.duckdb", demo_frames)
    engine = make_engine(url, query_timeout_seconds=0.5)
    try:
        for check in (check_data_quality, check_contract):
            started = time.monotonic()
            with pytest.raises(QueryTimeout, match="did not finish a query"):
                check(engine)
            assert time.monotonic() - started < 30
    finally:
        engine.dispose()


def test_duckdb_watchdog_leaves_the_connection_usable(tmp_path: Path) -> None:
    engine = make_engine(f"duckdb:///{tmp_path / 'w.duckdb'}", read_only=False, query_timeout_seconds=0.3)
    try:
        with engine.connect() as conn:
            with pytest.raises(Exception) as raised:
                conn.execute(text(f"SELECT {SLOW}"))
            assert isinstance(warehouse_error("duckdb:///w.duckdb", raised.value, 0.3), QueryTimeout)
            conn.rollback()
            time.sleep(0.5)  # a fast statement later is not interrupted by a leftover timer
            assert conn.execute(text("SELECT 42")).scalar() == 42
    finally:
        engine.dispose()


def total_leads() -> int:
    """All-time leads through the dashboard's data layer (its shared engines)."""
    return int(data.run_query(metrics_table, ALL_TIME, 1)["leads"][0])


def demo_total(path: Path, leads: int, seed: int) -> int:
    """All-time leads of ``leadline demo`` with these arguments, read through an engine of its own."""
    generate_demo(path, leads=leads, seed=seed)
    engine = make_engine(f"duckdb:///{path}")
    try:
        return int(metrics_table(engine, ALL_TIME, 1)["leads"][0])
    finally:
        engine.dispose()


def test_duckdb_file_replaced_by_demo_while_the_dashboard_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same arguments give the same tables, so the totals can be known beforehand.
    first, second, third = (demo_total(tmp_path / f"{n}.duckdb", n, 2) for n in (2000, 2500, 3000))
    path = tmp_path / "demo.duckdb"
    generate_demo(path, leads=2000, seed=2)
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", f"duckdb:///{path}")
    assert total_leads() == first
    failures: list[BaseException] = []
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.add(total_leads())
            except BaseException as exc:  # any failure at all is a finding
                failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for leads in (2500, 3000):
            time.sleep(0.3)
            generate_demo(path, leads=leads, seed=2)  # written aside, renamed into place
        deadline = time.monotonic() + 20
        while third not in seen and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert seen <= {first, second, third}
    assert third in seen
    assert total_leads() == third


WRITER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("UPDATE leads SET brand = brand")
conn.execute("CREATE TABLE import_marker AS SELECT 1 AS done")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.close()
"""


def test_duckdb_file_locked_by_an_import_says_wait_then_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.duckdb"
    expected = demo_total(path, 1500, 3)
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", f"duckdb:///{path}")
    assert total_leads() == expected
    # Idle for a few seconds, the dashboard lets go of the file, so another program can write it.
    assert gate_for(str(path)).release_idle(now=time.monotonic() + 60)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseUnavailable) as raised:
            total_leads()
        assert "being written by another program" in raised.value.message
        assert "press Retry" in raised.value.hint
    finally:
        writer.wait(timeout=30)
    assert total_leads() == expected  # the file is readable again, with the writer's changes
    with data.engine().connect() as conn:
        assert conn.execute(text("SELECT done FROM import_marker")).scalar() == 1


def test_a_disposed_engine_lets_go_of_the_duckdb_file(tmp_path: Path) -> None:
    """Between queries one spare connection keeps the file open; dispose() must close it, so that
    the file can be opened again with other settings (read-write for an import, a plain duckdb)."""
    import duckdb

    path = tmp_path / "demo.duckdb"
    demo_total(path, 300, 6)
    engine = make_engine(f"duckdb:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM leads")).scalar() == 300
    engine.dispose()
    writer = duckdb.connect(str(path))  # read-write: fails while any reader holds the file
    try:
        writer.execute("CREATE TABLE after_dispose AS SELECT 1 AS ok")
    finally:
        writer.close()


def test_at_exit_the_spare_duckdb_connection_is_closed_from_the_main_thread(tmp_path: Path) -> None:
    """A sweeper thread still inside DuckDB when Python finalises aborts the process after the
    work is done (exit 134, "FATAL: exception not rethrown"); the atexit hook closes every spare
    connection first and the sweeper stops. In a child process: the hook ends this one's gates."""
    import duckdb

    path = tmp_path / "exit.duckdb"
    duckdb.connect(str(path)).close()
    script = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from sqlalchemy import text
from loaders.warehouse.duckdb_file_gate import gate_for, release_all_at_exit
from loaders.warehouse.engine import make_engine
engine = make_engine({f"duckdb:///{path}"!r})
with engine.connect() as conn:
    conn.execute(text("SELECT 1")).all()
gate = gate_for({str(path)!r})
assert gate._anchor is not None and gate._sweeper.is_alive()
release_all_at_exit()
assert gate._anchor is None
gate._sweeper.join(timeout=10)
assert not gate._sweeper.is_alive(), "the sweeper still runs"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
