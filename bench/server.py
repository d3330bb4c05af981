"""The server-like side of the benchmark, run in a process of its own (``python -m bench.server``).

It does what a dashboard server does on a filter change: cold (a fresh engine, no probe, no
cache) and warm (through dashboard/data/cached.py's caches, as the pages call them), then a run of
filter changes to see whether memory grows. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB: the server's own high-water mark.

    ``VmHWM`` belongs to this process's address space, which starts afresh at ``exec``. Not
    ``getrusage``'s ``ru_maxrss``: Linux keeps that across ``execve``, so a bench process started
    by bench/run.py inherited the peak of the parent that had just generated the warehouse
    (1.7 GB at 1M) and reported it as the server's.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def quiet_streamlit() -> None:
    """Silence Streamlit's warnings outside ``streamlit run`` ("missing ScriptRunContext", "No runtime
    found"), printed once per cached call and thread, by the thousand in a bench run.

    Streamlit's loggers do not propagate and each carries its own level, and Streamlit resets them
    all to its option ``logger.level`` when it parses its configuration (lazily, on the first
    option read; outside ``streamlit run`` its environment variable is not read), so setting the
    "streamlit" logger's level missed them: the configuration is parsed first, then every
    logger, present and future, set to errors only.
    """
    import streamlit
    import streamlit.logger

    streamlit.get_option("logger.level")  # parse the configuration now, not after the next line
    streamlit.logger.set_log_level("error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--brand", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--filter-changes", type=int, default=500)
    parser.add_argument("--only-default", action="store_true")
    args = parser.parse_args(argv)
    os.environ["LEADLINE_WAREHOUSE_URL"] = args.url

    quiet_streamlit()
    from bench.pages import PAGES, page_calls, scopes, view_page
    from dashboard.data import cached as data
    from loaders.facts.source import forget_probes
    from loaders.warehouse.engine import make_engine

    all_scopes = scopes(date.fromisoformat(args.end), args.brand, args.group, args.source)
    if args.only_default:
        all_scopes = [s for s in all_scopes if s.name.startswith("default")]
    wrapped: dict[Any, Any] = {}

    def cached(fn: Any) -> Any:
        if fn not in wrapped:
            wrapped[fn] = data.cached(fn)
        return wrapped[fn]

    results: list[dict[str, Any]] = []
    for page in PAGES:
        for scope in all_scopes:
            calls = page_calls(page, scope)
            cold = []
            for _ in range(args.runs):
                engine = make_engine(args.url)
                forget_probes()
                started = time.perf_counter()
                view_page(engine, calls)
                cold.append(time.perf_counter() - started)
                engine.dispose()
            view_page(engine, calls, cached)  # fill the caches as the first page view would
            warm = []
            for _ in range(args.runs):
                started = time.perf_counter()
                view_page(engine, calls, cached)
                warm.append(time.perf_counter() - started)
            results.append(
                {
                    "page": page,
                    "scope": scope.name,
                    "cold": statistics.median(cold),
                    "warm": statistics.median(warm),
                }
            )
            print(f"  {page:14s} {scope.name:16s} cold {results[-1]['cold']:.3f} s", file=sys.stderr)
    memory = {"peak_after_pages_mb": peak_mb(), "rss_after_pages_mb": rss_mb()}
    memory |= filter_changes(args.filter_changes, all_scopes, cached)
    print(json.dumps({"pages": results, "memory": memory}))
    return 0


def filter_changes(count: int, all_scopes: list[Any], cached: Any) -> dict[str, float]:
    """``count`` filter changes as users make them (random page and view); RSS along the way."""
    from bench.pages import PAGES, page_calls, view_page

    rng = random.Random(7)
    samples: dict[str, float] = {}
    for change in range(1, count + 1):
        scope = rng.choice(all_scopes)
        # A filter change the caches have not seen: a random period end within the last 60 days.
        offset = timedelta(days=rng.randrange(0, 60))
        shifted = type(scope)(scope.name, scope.start - offset, scope.end - offset, scope.filters)
        view_page(None, page_calls(rng.choice(PAGES), shifted), cached)
        if change in (count // 5, count):
            samples[f"rss_after_{change}_changes_mb"] = rss_mb()
    samples["peak_mb"] = peak_mb()
    return samples


if __name__ == "__main__":
    sys.exit(main())
