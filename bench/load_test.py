"""Load test: many simultaneous browser sessions clicking through pages and filters.

Starts `leadline serve` on a warehouse, opens ``--users`` Chromium contexts (Playwright, one
browser) and lets each one, for ``--seconds``, open pages with random periods, comparisons and
filters taken from the warehouse's real values, and click the Overview's "Break down by"
control. Reports errors (exceptions or error boxes on a page, timeouts, lost connections), page
render times (from the navigation or click until the script run is over, no spinner shows and
the page's title is drawn) and the server's peak resident memory. docs/reliability.md has a
run's figures; tests/browser/test_load_short.py runs a short version.

    python bench/load_test.py --warehouse duckdb:///data/bench_1m.duckdb --users 25 --seconds 120
    python bench/load_test.py --leads 20000 --users 4 --seconds 20 --out artifacts/load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.load_common import (
    PAGES,
    STRESS_THINK_S,
    MemoryWatch,
    Results,
    cpu_seconds,
    filter_values,
    machine_busy_seconds,
    process_cpu_seconds,
    think_range,
    tree_rss_mb,
)
from tests.serve_helpers import free_port, start_server, stop_server, wait_for_health

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING = '[data-testid="stApp"]:not([data-test-script-state="notRunning"])'
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
SPINNER = '[data-testid="stSpinner"]'
BREAKDOWNS = ("Dealer group", "Brand", "Market")
QUICK_PICKS = ["Last 7 days", "Last 30 days", "Last 90 days", "Last year"]
COMPARISONS = ["Previous period", "Same period a year earlier", "No comparison"]
RENDER_TIMEOUT_MS = 60_000























def random_view(rng: random.Random, values: dict[str, list[str]], today: date) -> dict[str, str]:
    """A period (30 to 400 days, or a quick pick's), a comparison, and zero to two filters."""
    days = rng.choice([7, 30, 30, 30, 90, 90, 180, 365])
    end = today - timedelta(days=rng.choice([0, 0, 0, 7, 30, 60]))
    params = {"from": (end - timedelta(days=days - 1)).isoformat(), "to": end.isoformat()}
    params["compare"] = rng.choice(["previous", "previous", "year", "none"])
    for key in rng.sample(list(values), k=rng.choice([0, 0, 1, 1, 2])):
        if values[key]:
            params[key] = rng.choice(values[key])
    return params


async def wait_rendered(page: Any, title: str) -> None:
    """Until the script run is over, no spinner shows and the page title ``title`` is drawn."""
    await page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    await page.wait_for_selector(DONE, timeout=RENDER_TIMEOUT_MS)
    await page.wait_for_selector(SPINNER, state="detached", timeout=RENDER_TIMEOUT_MS)
    await page.wait_for_selector(DONE, timeout=RENDER_TIMEOUT_MS)


async def url_changes(page: Any, before: str) -> None:
    """Until the app has written a new URL (it does so while running the script for the change)."""
    await page.wait_for_function(
        "(old) => window.location.href !== old", arg=before, timeout=RENDER_TIMEOUT_MS
    )


async def choose(page: Any, rng: random.Random, label: str, options: list[str]) -> None:
    """Pick one of ``options`` other than the current one in the sidebar select box ``label``."""
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)
    shown = await box.input_value(timeout=RENDER_TIMEOUT_MS)
    await box.click(timeout=RENDER_TIMEOUT_MS)
    option = rng.choice([o for o in options if o != shown])
    await page.get_by_role("option", name=option, exact=True).click(timeout=RENDER_TIMEOUT_MS)


async def act(page: Any, rng: random.Random, current: str, values: dict[str, list[str]]) -> tuple[str, str]:
    """One click a person makes; returns (what was done, the page shown afterwards)."""
    roll = rng.random()
    if roll < 0.45:
        others = [name for name in PAGES if name != current]
        target = rng.choices(others, [PAGES[name][1] for name in others])[0]
        nav = page.get_by_test_id("stSidebarNav")
        await nav.get_by_role("link", name=PAGES[target][0]).click(timeout=RENDER_TIMEOUT_MS)
        return f"open {target}", target
    if roll < 0.65:
        await choose(page, rng, "Quick pick", QUICK_PICKS)
        return "period", current
    if roll < 0.8:
        await choose(page, rng, "Compare with", COMPARISONS)
        return "comparison", current
    if roll < 0.9 and current == "overview":
        radios = [page.get_by_role("radio", name=name) for name in BREAKDOWNS]
        unchecked = [r for r in radios if await r.get_attribute("aria-checked") != "true"]
        await rng.choice(unchecked).click(timeout=RENDER_TIMEOUT_MS)
        return "breakdown", current
    sidebar = page.get_by_test_id("stSidebar")
    clear = sidebar.get_by_role("button", name="Clear filters")
    if await clear.count():
        await clear.click(timeout=RENDER_TIMEOUT_MS)
        return "clear filters", current
    label = rng.choice(["Market", "Brand"])
    # Open the list and click one of the names shown (typing a code and pressing Enter picked
    # nothing: the list shows names, such as "Belgium" for BE, and Enter chose no option).
    options = page.get_by_role("option")
    for attempt in range(3):  # a click that lands while the page redraws can leave the list shut
        await sidebar.get_by_role("combobox", name=label).click(timeout=RENDER_TIMEOUT_MS)
        try:
            await options.first.wait_for(timeout=RENDER_TIMEOUT_MS // 6)
            break
        except Exception:
            if attempt == 2:
                raise
            await page.keyboard.press("Escape")
    await options.nth(rng.randrange(await options.count())).click(timeout=RENDER_TIMEOUT_MS)
    # A multiselect's list stays open after a pick and hides the page from the accessibility
    # tree (so the title heading is not found) until it closes: close it as a person would.
    await page.keyboard.press("Escape")
    return "filter", current


async def session(
    number: int,
    browser: Any,
    base: str,
    values: dict[str, list[str]],
    deadline: float,
    results: Results,
    ramp_s: float = 0.0,
    think_s: tuple[float, float] = STRESS_THINK_S,
) -> None:
    """One user: open the Overview by a link, then click through pages, periods and filters,
    reading each page for ``think_s`` (min, max) seconds before the next click."""
    rng = random.Random(number)
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    page = await context.new_page()
    current = ""
    await asyncio.sleep(number * ramp_s)  # people arrive one after another, not in the same instant
    try:
        while time.monotonic() < deadline or (not results.renders and len(results.errors) < 3):
            started = time.monotonic()
            before, action = page.url, "?"
            try:
                if current == "":
                    action, current = "open a link", "overview"
                    await page.goto(f"{base}/overview", timeout=RENDER_TIMEOUT_MS, wait_until="commit")
                else:
                    action, current = await act(page, rng, current, values)
                    await url_changes(page, before)
                await wait_rendered(page, PAGES[current][0])
            except Exception as exc:
                results.errors.append(
                    f"user {number} {action} on {before}: {type(exc).__name__}: {str(exc)[:160]}"
                )
                current = ""  # start again from a link
                continue
            results.renders.append((action, time.monotonic() - started))
            problems = await page.locator(PROBLEMS).all_inner_texts()
            if problems:
                results.errors.append(f"user {number} {page.url}: shown on the page: {problems[0][:200]}")
            await page.wait_for_timeout(rng.uniform(*think_s) * 1000)  # a person reads before clicking on
    finally:
        await context.close()


async def drive(
    base: str,
    users: int,
    seconds: float,
    values: dict[str, list[str]],
    server_pid: int | None = None,
    ramp_s: float = 0.0,
    think_s: tuple[float, float] = STRESS_THINK_S,
) -> Results:
    """``users`` sessions in one Chromium for ``seconds``, the n-th starting after n x ``ramp_s``."""
    from playwright.async_api import async_playwright

    results = Results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            deadline = time.monotonic() + seconds
            await asyncio.gather(
                *(session(n, browser, base, values, deadline, results, ramp_s, think_s) for n in range(users))
            )
            results.browser_cpu_s = cpu_seconds(os.getpid(), exclude=server_pid)
        finally:
            await browser.close()
    return results


def run(
    warehouse: str,
    users: int,
    seconds: float,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    ramp_s: float = 1.0,
    think_s: tuple[float, float] = STRESS_THINK_S,
) -> dict[str, Any]:
    """Serve ``warehouse``, drive the sessions, and return the report (the server's output to ``log``)."""
    values = filter_values(warehouse)
    port = free_port()
    server = start_server(port, warehouse, env=env)
    base = f"http://localhost:{port}"
    try:
        wait_for_health(base.replace("localhost", "127.0.0.1"), server)  # type: ignore[arg-type]
        asyncio.run(drive(base, 1, 0, values))  # one page view first: imports, filter choices
        idle_mb = tree_rss_mb(server.pid)
        server_cpu, machine_busy = process_cpu_seconds(server.pid), machine_busy_seconds()
        started = time.monotonic()
        with MemoryWatch(server.pid) as memory:
            results = asyncio.run(drive(base, users, seconds, values, server.pid, ramp_s, think_s))
        elapsed = time.monotonic() - started
        server_cpu = process_cpu_seconds(server.pid) - server_cpu
        machine_busy = machine_busy_seconds() - machine_busy
    finally:
        stop_server(server)
        if log is not None and server.stdout is not None:
            log.write_bytes(server.stdout.read())
    return {
        "warehouse": warehouse.rsplit("/", 1)[-1],
        "users": users,
        "ramp_s": ramp_s,
        "think_s": list(think_s),
        "seconds": round(elapsed, 1),
        **results.summary(),
        "server_cpu_cores": round(server_cpu / elapsed, 2),  # average cores busy during the run
        # Chromium's renderers fork from its zygote and may escape this count: see machine_busy_cores.
        "browser_cpu_cores": round(results.browser_cpu_s / elapsed, 2),
        "machine_busy_cores": round(machine_busy / elapsed, 2),  # everything on the machine
        "machine_cores": os.cpu_count(),
        "load_average_after": round(os.getloadavg()[0], 1),
        "server_idle_rss_mb": round(idle_mb),
        "server_peak_rss_mb": round(memory.peak_mb),
        "memory_samples": memory.samples,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--warehouse", help="SQLAlchemy URL of the warehouse to serve")
    source.add_argument("--leads", type=int, help="generate a demo warehouse of this many leads first")
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds between two users' arrivals")
    parser.add_argument(
        "--think",
        type=think_range,
        default=STRESS_THINK_S,
        help="MIN,MAX seconds a user reads a page before the next click (default 0.3,2: a stress test)",
    )
    parser.add_argument("--out", type=Path, help="write the report as JSON here too")
    parser.add_argument("--server-log", type=Path, help="write the server's output here")
    args = parser.parse_args(argv)
    warehouse = args.warehouse
    if warehouse is None:
        from loaders.demo.generate import generate_demo

        path = Path(tempfile.mkdtemp(prefix="leadline-load-")) / "demo.duckdb"
        generate_demo(path, leads=args.leads)
        warehouse = f"duckdb:///{path}"
    report = run(
        warehouse, args.users, args.seconds, log=args.server_log, ramp_s=args.ramp, think_s=args.think
    )
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
