"""Cold time of one page view with the code of 2026-11-23 (b7820e0), as its bench/server.py timed it.

Issue 13's rule compares each page with its 2026-11-23 cold time on the same machine. Run it
from a checkout of that commit, against a warehouse that commit's bench generated:

    git worktree add /tmp/old b7820e0
    cd /tmp/old && PYTHONPATH=/tmp/old python /path/to/leadline/bench/old_page_time.py \\
        duckdb:////tmp/old/data/bench_10m.duckdb overview "default quarter" 3

bench/page_pairs.sh alternates it with bench/page_time.py (the current code).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from typing import Any


def main(argv: list[str]) -> int:
    url, page, view, runs = argv
    import streamlit
    import streamlit.logger

    streamlit.get_option("logger.level")
    streamlit.logger.set_log_level("error")
    # The modules of the 2026-11-23 layout (PYTHONPATH points at that checkout).
    from loaders.engine import make_engine  # type: ignore[import-not-found]
    from loaders.facts_source import forget_probes  # type: ignore[import-not-found]

    from bench.pages import K, page_calls, scopes  # type: ignore[attr-defined]

    scope = next(s for s in scopes(date(2025, 6, 30), "Aurelia", "G03", "brand_site") if s.name == view)
    calls: list[Any] = page_calls(page, scope)
    samples = []
    for _ in range(int(runs)):
        engine = make_engine(url)
        forget_probes()
        started = time.perf_counter()
        for call in calls:
            call.table(engine, call.query, K)
        samples.append(time.perf_counter() - started)
        engine.dispose()
    print(f"OLD {page} {view}: median {statistics.median(samples):.3f} s of {[round(x, 3) for x in samples]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
