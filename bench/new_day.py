"""Freshness at scale: one new day of leads lands, how long does ``leadline refresh`` take?

Copies a bench warehouse (default data/bench_10m.duckdb), appends one more day of data (the
last day's leads, activities and outcomes again, one day later, under new ids, with the same
buyers so that double leads are recomputed too), then times the incremental refresh against a
full rebuild of the facts in the same run, and checks that both leave identical facts.

    python bench/new_day.py [--warehouse data/bench_10m.duckdb] [--copy data/bench_newday.duckdb]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from loaders.facts.refresh import refresh_lead_facts
from loaders.warehouse.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = "-n1"

# Every row of the last day again, one day later: DuckDB SQL over the copy (bench only).
APPEND_DAY = [
    """CREATE TEMP TABLE new_day AS SELECT lead_id FROM leads
       WHERE created_at >= (SELECT date_trunc('day', max(created_at)) FROM leads)""",
    f"""INSERT INTO leads SELECT * REPLACE (lead_id || '{SUFFIX}' AS lead_id,
       created_at + INTERVAL 1 DAY AS created_at, delivered_at + INTERVAL 1 DAY AS delivered_at)
       FROM leads WHERE lead_id IN (SELECT lead_id FROM new_day)""",
    f"""INSERT INTO lead_activities SELECT * REPLACE (activity_id || '{SUFFIX}' AS activity_id,
       lead_id || '{SUFFIX}' AS lead_id, occurred_at + INTERVAL 1 DAY AS occurred_at)
       FROM lead_activities WHERE lead_id IN (SELECT lead_id FROM new_day)""",
    f"""INSERT INTO lead_outcomes SELECT * REPLACE (lead_id || '{SUFFIX}' AS lead_id,
       appointment_at + INTERVAL 1 DAY AS appointment_at, test_drive_at + INTERVAL 1 DAY AS test_drive_at,
       quote_at + INTERVAL 1 DAY AS quote_at, sold_at + INTERVAL 1 DAY AS sold_at,
       closed_at + INTERVAL 1 DAY AS closed_at)
       FROM lead_outcomes WHERE lead_id IN (SELECT lead_id FROM new_day)""",
]
_TABLES = ("leads", "lead_activities", "lead_outcomes")
# An order-independent digest of every facts row: equal digests, equal tables (bar collisions).
FACTS_DIGEST = "SELECT count(*), sum(hash(f)) FROM leadline_lead_facts AS f"


def append_one_day(raw: Any) -> dict[str, int]:
    """Append the copy's last day again, one day later; the numbers of rows added per table."""
    before = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}
    for statement in APPEND_DAY:
        raw.execute(statement)
    after = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}
    return {t: after[t] - before[t] for t in _TABLES}


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "bench_10m.duckdb")
    parser.add_argument("--copy", type=Path, default=ROOT / "data" / "bench_newday.duckdb")
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        print(
            f"{args.warehouse} does not exist: run `python bench/run.py --scales 10m` first.", file=sys.stderr
        )
        return 2
    shutil.copyfile(args.warehouse, args.copy)
    engine = make_engine(f"duckdb:///{args.copy}", read_only=False)
    try:
        with engine.begin() as conn:
            added = append_one_day(conn.connection.driver_connection)
        started = time.perf_counter()
        incremental = refresh_lead_facts(engine)
        incremental_s = time.perf_counter() - started
        with engine.connect() as conn:
            after_incremental = conn.connection.driver_connection.execute(FACTS_DIGEST).fetchone()
        started = time.perf_counter()
        refresh_lead_facts(engine, full=True)
        full_s = time.perf_counter() - started
        with engine.connect() as conn:
            after_full = conn.connection.driver_connection.execute(FACTS_DIGEST).fetchone()
    finally:
        engine.dispose()
        args.copy.unlink(missing_ok=True)
        Path(f"{args.copy}.wal").unlink(missing_ok=True)
    print(
        f"one new day: {added['leads']:,} leads, {added['lead_activities']:,} activities, "
        f"{added['lead_outcomes']:,} outcomes appended to a copy of {args.warehouse.name}"
    )
    print(f"incremental refresh: {incremental_s:.1f} s ({incremental.describe()})")
    print(
        f"full rebuild (reference, same run): {full_s:.1f} s; incremental / full = {incremental_s / full_s:.2f}"
    )
    same = after_incremental == after_full
    print(f"facts after the incremental refresh equal a full rebuild: {same} ({after_full[0]:,} rows)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
