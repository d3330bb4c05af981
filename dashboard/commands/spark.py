"""`leadline spark start|load|stop|status`: a local Apache Spark SQL warehouse for trying Leadline on Spark.

``start`` runs a Spark Thrift server on 127.0.0.1 with the safe configuration of
loaders/warehouse/spark_server.py (scratch folder, local[2], no web UI) and prints its URL;
``load`` copies the contract tables of any warehouse (the demo DuckDB file by default) into it
as Parquet tables and builds the lead facts; ``stop`` ends it. Needs Java 17 and the Spark extra
(``pip install -e '.[spark]'``). A real cluster is pointed at with ``--warehouse hive://...``
(docs/distributed.md); this command is for one machine.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from common import settings
from common.errors import WarehouseUnavailable
from loaders.contract.spark_load import create_database, load_into_spark, read_contract_tables
from loaders.facts.refresh import refresh_lead_facts
from loaders.warehouse.engine import make_engine, redact
from loaders.warehouse.spark_server import SparkServer

DEFAULT_FOLDER = Path("data/spark")


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "spark",
        help="start, load or stop a local Spark SQL Thrift server (needs Java 17 and the [spark] extra)",
        description="A local Apache Spark SQL warehouse on 127.0.0.1. "
        "start: run the Thrift server; load: copy a warehouse's contract tables into it as Parquet "
        "tables and build the lead facts; stop: end it; status: is it running.",
    )
    parser.add_argument("action", choices=("start", "load", "stop", "status"))
    parser.add_argument(
        "--folder",
        type=Path,
        default=DEFAULT_FOLDER,
        help=f"scratch folder of the server (default {DEFAULT_FOLDER})",
    )
    parser.add_argument("--port", type=int, default=10000, help="Thrift port on 127.0.0.1 (default 10000)")
    parser.add_argument(
        "--master",
        default="local[2]",
        help="Spark master: local[N] or spark://127.0.0.1:7077 (default local[2])",
    )
    parser.add_argument("--driver-memory", default="2g", help="memory of the Spark driver (default 2g)")
    parser.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        default=None,
        help="load: the warehouse to copy (default: the warehouse_url setting, the demo DuckDB file)",
    )
    parser.add_argument(
        "--database", default="default", help="load: Spark database to create and fill (default: default)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Carry out the action and say what happened."""
    server = SparkServer(args.folder, port=args.port, master=args.master, driver_memory=args.driver_memory)
    if args.action == "status":
        print(f"Spark Thrift server {'running' if server.running() else 'not running'} ({server.url}).")
        return 0 if server.running() else 1
    if args.action == "stop":
        server.stop()
        print("Spark Thrift server stopped.")
        return 0
    if args.action == "start":
        if server.running():
            print(f"Already running: {server.url}")
            return 0
        server.start()
        print(f"Spark Thrift server running: {server.url}")
        print(f"Next: leadline spark load --port {args.port}; leadline serve --warehouse {server.url}")
        return 0
    return _load(server, args)


def _load(server: SparkServer, args: argparse.Namespace) -> int:
    source_url = args.source or str(settings.get("warehouse_url"))
    url = server.url.rsplit("/", 1)[0] + f"/{args.database}"
    source = make_engine(source_url)
    spark = make_engine(server.url, read_only=False)
    try:
        frames = read_contract_tables(source)
        create_database(spark, args.database)
        spark.dispose()
        spark = make_engine(url, read_only=False)
        load_into_spark(spark, frames, args.folder / "tables" / args.database)
        summary = refresh_lead_facts(spark)
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise WarehouseUnavailable(
            f"Could not copy {redact(source_url)} into Spark at {url}: {first_line}",
            "Is the server running (`leadline spark status`)? Does the source satisfy the contract "
            "(`leadline check`)?",
        ) from None
    finally:
        source.dispose()
        spark.dispose()
    rows = sum(frame.height for frame in frames.values())
    print(f"Loaded {rows:,} rows of {len(frames)} tables into {url}.")
    print(summary.describe())
    print(f"Serve it: leadline serve --warehouse {url}")
    return 0
