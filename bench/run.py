"""`make bench`: how fast Leadline answers a filter change, at 1M and 10M leads (and PostgreSQL 1M).

Builds (or reuses) data/bench_{1m,10m}.duckdb with `leadline demo` (which materialises the
lead facts) and a PostgreSQL schema loaded from the 1M file with COPY, then prints one table:
page, view, cold median, warm median, hand-written reference, ratio, naive time, and the
server-like process's peak memory. Every reference statement's answer is checked equal to
Leadline's loader, and every naive answer to Leadline's counts, before any time is reported.

    python bench/run.py                      # 1M and 10M DuckDB, PostgreSQL 1M
    python bench/run.py --scales 100k --runs 1 --no-pg --filter-changes 20   # the smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import duckdb
from sqlalchemy import Engine, create_engine, func, select, text

from bench.naive import naive_page, same_numbers
from bench.one_statement import check_page_statement, page_statement
from bench.pages import PAGES, page_calls, queries_of, scopes
from bench.reference import normalised, page_statements
from loaders.contract.tables import TABLES, dealers, leads
from loaders.contract.write import create_contract_tables
from loaders.demo.generate import generate_demo
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import reading_facts_from
from loaders.queries.aggregates import load_group_counts
from loaders.warehouse.engine import make_engine

END = date(2025, 6, 30)
SCALES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
PG_SERVER = os.environ.get("LEADLINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    warehouse: str
    page: str
    scope: str
    cold: float
    warm: float
    reference: float | None
    naive: float | None
    one: float | None = None  # the page as one hand-written statement (bench/one_statement.py)


def ensure_duckdb(scale: str, folder: Path) -> tuple[str, float | None]:
    """The URL of the bench warehouse of ``scale`` (generated when missing) and the generation time."""
    path = folder / f"bench_{scale}.duckdb"
    seconds = None
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        seconds = generate_demo(path, leads=SCALES[scale], seed=7, end=END).seconds
    engine = make_engine(f"duckdb:///{path}", read_only=False)
    print(f"  {refresh_lead_facts(engine).describe()}", file=sys.stderr)
    engine.dispose()
    return f"duckdb:///{path}", seconds


def ensure_postgres(duck_url: str, schema: str) -> str:
    """A PostgreSQL schema holding the same contract tables (COPY from DuckDB) and its facts."""
    admin = create_engine(PG_SERVER)
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    source = duckdb.connect(duck_url.removeprefix("duckdb:///"), read_only=True)
    wanted = source.execute("SELECT count(*) FROM leads").fetchone()
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine = create_engine(url)
    with engine.connect() as conn:
        has = conn.execute(text("SELECT to_regclass('leads') IS NOT NULL")).scalar()
        count = conn.execute(select(func.count()).select_from(leads)).scalar() if has else None
    if wanted is None or count != wanted[0]:
        print(f"loading {wanted} leads into PostgreSQL schema {schema} with COPY ...", file=sys.stderr)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        create_contract_tables(engine)
        raw = engine.raw_connection()
        try:
            cursor: Any = raw.cursor()
            for name, table in TABLES.items():
                columns = ", ".join(c.name for c in table.columns)
                batches = source.execute(f"SELECT {columns} FROM {name}").to_arrow_reader(100_000)
                with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                    for batch in batches:
                        for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
                            copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    source.close()
    print(f"  {refresh_lead_facts(engine).describe()}", file=sys.stderr)
    engine.dispose()
    admin.dispose()
    return url


def sample_values(engine: Engine) -> tuple[str, str, str]:
    """The most common brand, dealer group and source: the filtered views of the issue."""
    with engine.connect() as conn:
        brand = conn.execute(
            select(leads.c.brand).group_by(leads.c.brand).order_by(func.count().desc())
        ).scalar()
        group = conn.execute(
            select(dealers.c.dealer_group_id)
            .group_by(dealers.c.dealer_group_id)
            .order_by(func.count().desc())
        ).scalar()
        source = conn.execute(
            select(leads.c.source).group_by(leads.c.source).order_by(func.count().desc())
        ).scalar()
    return str(brand), str(group), str(source)


def server_side(
    url: str, values: tuple[str, str, str], runs: int, changes: int, only_default: bool
) -> dict[str, Any]:
    """Run bench/server.py in a process of its own and return its JSON."""
    command = [
        sys.executable,
        "-m",
        "bench.server",
        "--url",
        url,
        "--end",
        END.isoformat(),
        "--runs",
        str(runs),
    ]
    command += [
        "--brand",
        values[0],
        "--group",
        values[1],
        "--source",
        values[2],
        "--filter-changes",
        str(changes),
    ]
    command += ["--only-default"] if only_default else []
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.server failed with exit code {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def reference_and_check(
    url: str, values: tuple[str, str, str], runs: int, only_default: bool
) -> dict[tuple[str, ...], float]:
    """Median time of the hand-written SQL per page and view, after checking its answers equal Leadline's."""
    views = [
        (page, scope)
        for page in PAGES
        for scope in scopes(END, *values)
        if not only_default or scope.name.startswith("default")
    ]
    engine = make_engine(url)
    for page, scope in views:
        check(engine, page_calls(page, scope))
    times: dict[tuple[str, str], float] = {}
    for page, scope in views:
        pairs = [(c.label, q) for c in page_calls(page, scope) for q in queries_of(c)]
        times[(page, scope.name)] = _median_time(engine, page_statements(pairs), runs)
        if scope.name.startswith("default"):  # one statement fits the unfiltered views only
            one, metrics, with_quantiles = page_statement(pairs)
            with engine.connect() as conn, reading_facts_from(conn):
                check_page_statement(conn, conn.connection.driver_connection, one, metrics, with_quantiles)
            times[(page, scope.name, "one")] = _median_time(engine, [one], runs)
    engine.dispose()
    return times


def _median_time(engine: Engine, statements: list[Any], runs: int) -> float:
    """Median over ``runs`` of running ``statements`` on a fresh connection (opened before the clock)."""
    samples = []
    for _ in range(runs):
        # Through the engine: DuckDB refuses a second, differently configured connection.
        engine.dispose()
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            started = time.perf_counter()
            for st in statements:
                raw.execute(st.sql, st.params).fetchall()
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def check(engine: Engine, calls: list[Any]) -> None:
    """Each hand-written answer equals the Leadline loader's, read the way the pages read."""
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        for call, query in ((c, q) for c in calls for q in queries_of(c)):
            for st in page_statements([(call.label, query)]):
                if st.loader is None:
                    continue
                with reading_facts_from(engine):
                    ours = st.loader(engine, query).rows()
                theirs = raw.execute(st.sql, st.params).fetchall()
                if normalised(ours) != normalised(theirs):
                    raise AssertionError(
                        f"hand-written SQL and Leadline differ for {call.label}: {st.sql[:150]}"
                    )


def naive_times(url: str, values: tuple[str, str, str]) -> dict[tuple[str, str], float]:
    """Seconds per page (default views) the naive way, after checking its numbers equal Leadline's."""
    out: dict[tuple[str, str], float] = {}
    answers = {}
    for page in PAGES:
        for scope in scopes(END, *values):
            if not scope.name.startswith("default"):
                continue
            metric_queries = [
                q for c in page_calls(page, scope) if c.label.startswith("metrics") for q in queries_of(c)
            ]
            con = duckdb.connect(url.removeprefix("duckdb:///"), read_only=True)
            started = time.perf_counter()
            answers.update(naive_page(con, metric_queries))
            out[(page, scope.name)] = time.perf_counter() - started
            con.close()
    engine = make_engine(url)
    for query, frame in answers.items():
        with reading_facts_from(engine):
            ours = load_group_counts(engine, query)
        if not same_numbers(frame, ours, query.group_by):
            raise AssertionError(f"naive and Leadline numbers differ for {query}")
    engine.dispose()
    return out


def machine() -> str:
    """CPU, cores and memory of this machine, for the record."""
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    load = os.getloadavg()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024**2:.0f} GB RAM, load average {load:.1f} at start"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1m,10m", help="comma-separated: 100k, 1m, 10m")
    parser.add_argument("--folder", default=str(ROOT / "data"), help="where the bench warehouses live")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--filter-changes", type=int, default=500)
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL 1M run")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--only-default", action="store_true", help="only the unfiltered views")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    folder = Path(args.folder)
    rows: list[Row] = []
    notes: list[str] = []
    for scale in args.scales.split(","):
        url, generated = ensure_duckdb(scale, folder)
        if generated is not None:
            notes.append(f"generated {scale} (leadline demo, facts included) in {generated:.0f} s")
        sampler = make_engine(url)
        values = sample_values(sampler)
        sampler.dispose()
        server = server_side(url, values, args.runs, args.filter_changes, args.only_default)
        reference = reference_and_check(url, values, args.runs, args.only_default)
        naive = {} if args.no_naive else naive_times(url, values)
        for result in server["pages"]:
            key = (result["page"], result["scope"])
            rows.append(
                Row(
                    f"duckdb {scale}",
                    *key,
                    result["cold"],
                    result["warm"],
                    reference.get(key),
                    naive.get(key),
                    reference.get((*key, "one")),
                )
            )
        notes.append(
            f"duckdb {scale} server-like process memory: "
            + ", ".join(f"{k} {v:.0f}" for k, v in server["memory"].items())
        )
        if scale == "1m" and not args.no_pg:
            pg_url = ensure_postgres(url, "leadline_bench_1m")
            pg = server_side(pg_url, values, args.runs, min(args.filter_changes, 50), args.only_default)
            rows += [
                Row("postgresql 1m", r["page"], r["scope"], r["cold"], r["warm"], None, None)
                for r in pg["pages"]
            ]
            notes.append(
                "postgresql 1m server-like process memory: "
                + ", ".join(f"{k} {v:.0f}" for k, v in pg["memory"].items())
            )
        print_table(rows)  # after each scale, so a long run shows its first results early
        for note in notes:
            print(note)
        sys.stdout.flush()
        rows, notes = [], []
    return 0


def print_table(rows: list[Row]) -> None:
    """The table of the issue, times in seconds; ratio = Leadline cold / hand-written reference."""
    header = f"{'warehouse':14s} {'page':14s} {'view':16s} {'cold':>7s} {'warm':>7s} {'ref':>7s} {'ratio':>6s} {'one':>7s} {'ratio1':>6s} {'naive':>7s} {'speed-up':>8s}"
    print(header)
    print("-" * len(header))
    for r in rows:
        ref = f"{r.reference:7.3f}" if r.reference is not None else f"{'-':>7s}"
        ratio = f"{r.cold / r.reference:6.2f}" if r.reference else f"{'-':>6s}"
        one = f"{r.one:7.3f} {r.cold / r.one:6.2f}" if r.one else f"{'-':>7s} {'-':>6s}"
        naive = f"{r.naive:7.2f}" if r.naive is not None else f"{'-':>7s}"
        speed = f"{r.naive / r.cold:7.1f}x" if r.naive is not None else f"{'-':>8s}"
        print(
            f"{r.warehouse:14s} {r.page:14s} {r.scope:16s} {r.cold:7.3f} {r.warm:7.4f} {ref} {ratio} {one} {naive} {speed}"
        )


if __name__ == "__main__":
    sys.exit(main())
