"""The metrics table at 1M leads on DuckDB and on Spark SQL (local[2], and a standalone master + worker).

Writes (or reuses) a 1M-lead demo warehouse, starts a Spark Thrift server in a scratch folder,
loads the warehouse into it as Parquet tables, builds the lead facts there, and times
``metrics_table`` for a few views, on the fly and from the materialised facts, against the same
views on DuckDB. Every Spark answer is checked equal to DuckDB's before a time is printed.
Heavy: run it once, on a machine that is otherwise quiet (docs/distributed.md has the figures).

    python bench/spark_timing.py [--leads 1000000] [--runs 3] [--modes local,standalone]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from polars.testing import assert_frame_equal
from sqlalchemy import Engine

from dashboard.data.tables import metrics_table
from loaders.contract.spark_load import load_into_spark, read_contract_tables
from loaders.demo.generate import generate_demo
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.refresh import refresh_lead_facts
from loaders.facts.source import forget_probes, probe_facts
from loaders.request.query import LeadQuery
from loaders.warehouse.engine import make_engine
from loaders.warehouse.spark_server import SparkServer, free_port

END = date(2025, 6, 30)
AS_OF = datetime(2025, 6, 30, 23, 0)
VIEWS = {
    "year total": LeadQuery(date(2024, 7, 1), END, AS_OF),
    "year by dealer group": LeadQuery(date(2024, 7, 1), END, AS_OF, group_by=("dealer_group_id",)),
    "quarter by week and brand": LeadQuery(date(2025, 4, 1), END, AS_OF, group_by=("week", "brand")),
}


def timed(engine: Engine, query: LeadQuery, runs: int, materialised: bool) -> tuple[float, object]:
    """Median seconds of ``runs`` calls (after one warm-up) and the last answer."""
    reader = probe_facts(engine) if materialised else None
    if materialised and reader is None:
        raise RuntimeError("the materialised facts are not current")
    times, answer = [], None
    with facts_read_by(reader):
        metrics_table(engine, query, 5)
        for _ in range(runs):
            started = time.perf_counter()
            answer = metrics_table(engine, query, 5)
            times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def standalone(folder: Path) -> tuple[SparkServer, SparkServer, int]:
    """Start a master and one worker (2 cores) on 127.0.0.1; returns (master, worker, master port)."""
    port = free_port()
    master = SparkServer(folder / "master")
    master.write_configuration()
    master.daemon(
        "start", "org.apache.spark.deploy.master.Master", "1",
        "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port()),
    )  # fmt: skip
    worker = SparkServer(folder / "worker")
    worker.write_configuration()
    time.sleep(5)
    worker.daemon(
        "start", "org.apache.spark.deploy.worker.Worker", "1", "--host", "127.0.0.1",
        "--webui-port", str(free_port()), "--cores", "2", "--memory", "2g", f"spark://127.0.0.1:{port}",
    )  # fmt: skip
    time.sleep(5)
    return master, worker, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="local,standalone")
    parser.add_argument(
        "--paths", default="fly,facts", help="fly (on the fly), facts (materialised), or both"
    )
    parser.add_argument("--views", default=",".join(VIEWS), help="comma-separated names of VIEWS")
    parser.add_argument(
        "--warehouse", type=Path, default=Path(tempfile.gettempdir()) / "leadline-spark-1m.duckdb"
    )
    args = parser.parse_args()
    if not args.warehouse.exists():
        started = time.perf_counter()
        generate_demo(args.warehouse, leads=args.leads, end=END, as_of=AS_OF)
        print(f"demo warehouse of {args.leads:,} leads written in {time.perf_counter() - started:.0f} s")
    duck = make_engine(f"duckdb:///{args.warehouse}")
    frames = read_contract_tables(duck)
    rows: list[str] = []
    for mode in args.modes.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"leadline-spark-{mode}-"))
        cluster: tuple[SparkServer, SparkServer, int] | None = None
        master = "local[2]"
        if mode == "standalone":
            cluster = standalone(folder)
            master = f"spark://127.0.0.1:{cluster[2]}"
        server = SparkServer(folder / "thrift", port=free_port(), master=master)
        try:
            started = time.perf_counter()
            server.start(timeout_seconds=300)
            print(f"[{mode}] server started in {time.perf_counter() - started:.0f} s", flush=True)
            spark = make_engine(server.url, read_only=False)
            started = time.perf_counter()
            load_into_spark(spark, frames, folder / "tables")
            print(f"[{mode}] loaded in {time.perf_counter() - started:.0f} s", flush=True)
            views = {name: VIEWS[name] for name in args.views.split(",")}
            for materialised in [path == "facts" for path in args.paths.split(",")]:
                if materialised:
                    print(f"[{mode}] {refresh_lead_facts(spark).describe()}", flush=True)
                    forget_probes()
                for name, query in views.items():
                    on_duck, expected = timed(duck, query, args.runs, materialised)
                    on_spark, answer = timed(spark, query, args.runs, materialised)
                    assert_frame_equal(expected, answer, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)  # type: ignore[arg-type]
                    path = "facts" if materialised else "on the fly"
                    line = f"| {mode} | {name} | {path} | {on_spark:.2f} s | {on_duck:.2f} s |"
                    rows.append(line)
                    print(line, flush=True)
            spark.dispose()
        finally:
            server.stop()
            if cluster is not None:
                cluster[1].daemon("stop", "org.apache.spark.deploy.worker.Worker", "1")
                cluster[0].daemon("stop", "org.apache.spark.deploy.master.Master", "1")
            shutil.rmtree(folder, ignore_errors=True)
    print("\n| Spark | view | path | Spark median | DuckDB median |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
