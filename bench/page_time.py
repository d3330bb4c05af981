"""Cold time of one page view, as bench/server.py measures it (fresh engine, no probe, no cache).

For side-by-side comparisons of two checkouts at the same machine load (run it alternately
from each), where a whole `make bench` would take too long:

    python bench/page_time.py duckdb:///data/bench_1m.duckdb overview "default year" 3 Aurelia G03 brand_site
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere


def main(argv: list[str]) -> int:
    url, page, view, runs, brand, group, source = argv
    import streamlit
    import streamlit.logger

    streamlit.get_option("logger.level")  # see bench/server.py quiet_streamlit
    streamlit.logger.set_log_level("error")
    from bench.pages import page_calls, scopes, view_page
    from loaders.facts.source import forget_probes
    from loaders.warehouse.engine import make_engine

    scope = next(s for s in scopes(date(2025, 6, 30), brand, group, source) if s.name == view)
    samples = []
    for _ in range(int(runs)):
        engine = make_engine(url)
        forget_probes()
        started = time.perf_counter()
        view_page(engine, page_calls(page, scope))
        samples.append(time.perf_counter() - started)
        engine.dispose()
    print(f"{page} {view}: median {statistics.median(samples):.3f} s of {[round(x, 3) for x in samples]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
