"""Cold time of one page view, as bench/server.py measures it (fresh engine, no probe, no cache).

For side-by-side comparisons of two checkouts at the same machine load (run it alternately
from each), where a whole `make bench` would take too long:

    python bench/page_time.py duckdb:///data/bench_1m.duckdb overview "default year" 3 Aurelia G03 brand_site

Page ``follow-up-2026-11-23``: Follow-up's tables of 2026-11-23 only, asked the way the page asks
them now (issue 13's rule, like with like; bench/page_pairs.sh times it against that code).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere


OLD_FOLLOW_UP = "follow-up-2026-11-23"
THEN = ("arrival heat map", "no-contact ages", "duplicate contact", "by phone status", "by e-mail status")


def main(argv: list[str]) -> int:
    url, page, view, runs, brand, group, source = argv
    import streamlit
    import streamlit.logger

    streamlit.get_option("logger.level")  # see bench/server.py quiet_streamlit
    streamlit.logger.set_log_level("error")
    from bench.pages import Call, page_calls, scopes, view_page
    from dashboard.data import detail_tables
    from loaders.facts.source import forget_probes
    from loaders.warehouse.engine import make_engine

    scope = next(s for s in scopes(date(2025, 6, 30), brand, group, source) if s.name == view)
    calls = page_calls(page, scope) if page != OLD_FOLLOW_UP else page_calls("follow-up", scope)
    if page == OLD_FOLLOW_UP:  # tiles, groups and dealers (one scan), then the detail tables of then
        then = [c for c in calls if c.label in THEN]
        calls = [*calls[:2], Call("response buckets", detail_tables.response_buckets, scope.query()), *then]
    samples = []
    for _ in range(int(runs)):
        engine = make_engine(url)
        forget_probes()
        started = time.perf_counter()
        view_page(engine, calls)
        samples.append(time.perf_counter() - started)
        engine.dispose()
    print(f"{page} {view}: median {statistics.median(samples):.3f} s of {[round(x, 3) for x in samples]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
