"""What both load tests share: pages and think times, results and percentiles, process memory and CPU.

bench/load_test.py drives real browsers, bench/load_protocol.py the server's own protocol; both
report through ``Results`` and watch the server with ``MemoryWatch`` and the CPU counters here.
"""

from __future__ import annotations

import argparse
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Pages people use all day, weighted by how often they are opened.
PAGES = {
    "overview": ("Overview", 6),
    "follow-up": ("Follow-up coverage", 3),
    "delivery": ("Lead delivery", 2),
    "close-reasons": ("Close reasons", 2),
    "campaigns": ("Campaigns & ROI", 2),
    "definitions": ("Definitions", 1),
    "data-quality": ("Data quality", 1),
}


# Seconds a user reads a page before the next click: the default is a stress test (nobody reads a
# dashboard page in a second); READING_THINK_S is a person who looks at the numbers first.
STRESS_THINK_S = (0.3, 2.0)


READING_THINK_S = (5.0, 15.0)



@dataclass
class Results:
    """What the sessions measured."""

    renders: list[tuple[str, float]] = field(default_factory=list)  # (page or action, seconds)
    errors: list[str] = field(default_factory=list)
    browser_cpu_s: float = 0.0  # CPU time of the Playwright driver and Chromium processes

    def summary(self) -> dict[str, Any]:
        """Counts and percentiles, overall and per page."""
        times = sorted(t for _, t in self.renders)
        per_page: dict[str, list[float]] = {}
        for name, seconds in self.renders:
            per_page.setdefault(name, []).append(seconds)
        return {
            "renders": len(times),
            "errors": len(self.errors),
            "error_kinds": dict(Counter(_kind(error) for error in self.errors)),
            "error_examples": self.errors[:10],
            "p50_s": percentile(times, 50),
            "p95_s": percentile(times, 95),
            "max_s": times[-1] if times else None,
            "per_page": {
                name: {"n": len(ts), "p50_s": percentile(sorted(ts), 50), "p95_s": percentile(sorted(ts), 95)}
                for name, ts in sorted(per_page.items())
            },
        }


def _kind(error: str) -> str:
    """'timeout', 'shown on the page' (an exception or error box) or 'other'."""
    if "shown on the page" in error:
        return "shown on the page"
    if "TimeoutError" in error or "no answer" in error:
        return "timeout"
    return "other"


def think_range(text: str) -> tuple[float, float]:
    """``--think MIN,MAX`` as a pair of seconds (argparse type)."""
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MIN,MAX in seconds, e.g. 5,15; got {text!r}") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"expected 0 <= MIN <= MAX; got {text!r}")
    return low, high


def percentile(sorted_values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, round(p / 100 * len(sorted_values)))
    return round(sorted_values[min(rank, len(sorted_values)) - 1], 3)


class MemoryWatch:
    """Samples the resident memory of a process (and its children) until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak_mb, self.samples = pid, interval, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self.samples += 1
            self._stop.wait(self.interval)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB (Linux /proc)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += (
                    next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0) / 1024
                )
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return total


def cpu_seconds(pid: int, *, exclude: int | None = None) -> float:
    """CPU time (user + system) used so far by ``pid``'s descendants (not ``pid`` itself), minus
    the subtree of ``exclude``; Linux /proc."""
    total, pending = 0.0, _children(pid)
    while pending:
        current = pending.pop()
        if current == exclude:
            continue
        total += process_cpu_seconds(current)
        pending += _children(current)
    return total


def process_cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` itself (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and its live descendants (the workers of `serve --workers`)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += process_cpu_seconds(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have been busy since boot (Linux /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def filter_values(warehouse: str) -> dict[str, list[str]]:
    """Real values per URL filter key, so that the sessions' filters match leads."""
    from dashboard.data.detail_tables import dimension_choices
    from dashboard.filters.url_state import FILTER_KEYS
    from loaders.request.query import LeadQuery
    from loaders.warehouse.engine import make_engine

    engine = make_engine(warehouse)
    try:
        frame = dimension_choices(
            engine, LeadQuery(date(2000, 1, 1), date(2100, 1, 1), datetime(2100, 1, 1)), 1
        )
    finally:
        engine.dispose()
    return {
        FILTER_KEYS[dim]: frame.filter(dimension=dim)["value"].to_list()
        for dim in ("brand", "market", "dealer_group_id")
    }
