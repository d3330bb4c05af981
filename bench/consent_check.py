"""What the consent and erasure check costs a read of the materialised facts (docs/privacy.md section 1).

Times ``metrics_table`` + ``funnel`` over a year by dealer group and 30 days by week, read
from the facts four ways: as before the check (the table as it is), with the per-read check
(leads unchanged), as a read after a deletion or refusal (``recheck``: semi-join and buyers
recomputed), and on the fly. The warehouse must have fresh facts (``leadline demo`` writes them).

    leadline demo --leads 200000 --out /tmp/consent.duckdb
    python bench/consent_check.py duckdb:////tmp/consent.duckdb [--today 2026-11-27] [--runs 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from sqlalchemy import FromClause

from dashboard.data import detail_tables
from dashboard.data.tables import metrics_table
from loaders.facts.lead_facts import facts_read_by
from loaders.facts.source import MaterialisedFacts, probe_facts
from loaders.facts.table import lead_facts_table
from loaders.request.query import LeadQuery
from loaders.warehouse.engine import make_engine


class Unchecked(MaterialisedFacts):
    """The reader before the check: the facts table as it is."""

    def rows(self) -> FromClause:
        return lead_facts_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    engine = make_engine(args.warehouse)
    today: date = args.today
    as_of = datetime.combine(today + timedelta(days=1), datetime.min.time())
    queries = {
        "a year by dealer group": LeadQuery(
            today - timedelta(days=364), today, as_of, group_by=("dealer_group_id",)
        ),
        "30 days by week": LeadQuery(today - timedelta(days=29), today, as_of, group_by=("week",)),
    }
    reader = probe_facts(engine)
    if reader is None or reader.catch_up_since is not None:
        sys.exit("The facts are missing or not current: run `leadline refresh` first.")
    ways: list[tuple[str, Any]] = [
        ("facts, unchecked", Unchecked(reader.zones)),
        ("facts, per-read check", "checked"),
        ("after an erasure", replace(reader, recheck=True)),
        ("on the fly", None),
    ]
    for name, query in queries.items():
        for label, way in ways:
            times = []
            with engine.connect() as conn:
                for _ in range(args.runs):
                    started = time.perf_counter()
                    chosen = reader.checked(conn) if way == "checked" else way
                    with facts_read_by(chosen):
                        metrics_table(conn, query, 5)
                        detail_tables.funnel(conn, query, 5)
                    times.append(time.perf_counter() - started)
            print(f"{name:24s} {label:22s} median {statistics.median(times[1:]) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
