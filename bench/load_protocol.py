"""The server's side of the load test, without browsers: N WebSocket sessions rerunning pages.

Each session speaks Streamlit's own protocol (as the browser does) and asks for a page with a
random period, comparison and filters, then waits for the script run to finish. The time is
the server's render time alone: no JavaScript, no drawing. Run next to bench/load_test.py to
tell the server's share of a render from the browsers' (docs/reliability.md).

    python bench/load_protocol.py --warehouse duckdb:///data/bench_1m.duckdb --users 25 --seconds 120
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bench.load_common import (
    PAGES,
    STRESS_THINK_S,
    MemoryWatch,
    Results,
    filter_values,
    process_cpu_seconds,
    think_range,
    tree_cpu_seconds,
    tree_rss_mb,
)
from bench.proxy import nginx_binary, start_nginx
from tests.serve_helpers import free_port, start_server, stop_server, wait_for_health


def random_query(rng: random.Random, values: dict[str, list[str]]) -> str:
    """A view as a query string: 7 to 365 days ending up to 60 days ago, a comparison, 0-2 filters."""
    end = datetime.now(UTC).date() - timedelta(days=rng.choice([0, 0, 7, 30, 60]))
    days = rng.choice([7, 30, 30, 90, 365])
    params = {"from": (end - timedelta(days=days - 1)).isoformat(), "to": end.isoformat()}
    params["compare"] = rng.choice(["previous", "year", "none"])
    for key in rng.sample(list(values), k=rng.choice([0, 1, 2])):
        params[key] = rng.choice(values[key])
    return urlencode(params)


def session(
    number: int,
    port: int,
    values: dict[str, list[str]],
    deadline: float,
    results: Results,
    think_s: tuple[float, float] = STRESS_THINK_S,
) -> None:
    """One session: rerun a random page and view, wait for the run to finish, think, repeat."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    rng = random.Random(number)
    names, weights = list(PAGES), [weight for _, weight in PAGES.values()]
    try:
        ws = connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=60,
        )
    except (TimeoutError, OSError) as exc:  # the server did not even accept the session
        results.errors.append(f"user {number}: no session: {type(exc).__name__}: {exc}")
        return
    with ws:
        while time.monotonic() < deadline:
            page = rng.choices(names, weights)[0]
            request = BackMsg()
            request.rerun_script.query_string = random_query(rng, values)
            request.rerun_script.page_name = page
            started = time.monotonic()
            ws.send(request.SerializeToString())
            try:
                while True:
                    message = ForwardMsg()
                    message.ParseFromString(ws.recv(timeout=120))
                    kind = message.WhichOneof("type")
                    if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
                        results.errors.append(f"user {number} {page}: shown on the page: an exception")
                    if kind == "script_finished":
                        break
            except TimeoutError:
                results.errors.append(f"user {number} {page}: no answer in 120 s")
                return
            results.renders.append((page, time.monotonic() - started))
            time.sleep(rng.uniform(*think_s))


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (``leadline serve --workers`` takes them so)."""
    while True:
        first = free_port()
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def run(
    warehouse: str,
    users: int,
    seconds: float,
    ramp_s: float,
    think_s: tuple[float, float] = STRESS_THINK_S,
    workers: int = 1,
    nginx: str | None = None,
) -> dict[str, Any]:
    """Serve ``warehouse`` and drive ``users`` protocol sessions for ``seconds``.

    With ``workers`` > 1: `leadline serve --workers N`, and the sessions go through nginx
    (bench/proxy.py, sticky sessions) when ``nginx`` names a binary, else the harness hands the
    sessions to the workers in turn.
    """
    values = filter_values(warehouse)
    port = consecutive_free_ports(workers)
    server = start_server(port, warehouse, *(("--workers", str(workers)) if workers > 1 else ()))
    worker_ports = [port + n for n in range(workers)]
    proxy = None
    results = Results()
    try:
        for worker_port in worker_ports:
            wait_for_health(f"http://127.0.0.1:{worker_port}", server)
        targets = worker_ports
        if workers > 1 and nginx:
            proxy_port = free_port()
            proxy = start_nginx(nginx, proxy_port, worker_ports)
            wait_for_health(f"http://127.0.0.1:{proxy_port}", proxy)
            targets = [proxy_port]
        warm = Results()
        for worker_port in worker_ports:  # imports and filter choices, on every worker
            session(999, worker_port, values, time.monotonic() + 0.1, warm)
        idle_mb, cpu = tree_rss_mb(server.pid), tree_cpu_seconds(server.pid)
        children = _children(server.pid)
        per_worker = [process_cpu_seconds(child) for child in children]
        started = time.monotonic()
        deadline = started + seconds
        threads = []
        with MemoryWatch(server.pid) as memory:
            for number in range(users):
                target = targets[number % len(targets)]
                thread = threading.Thread(
                    target=session, args=(number, target, values, deadline, results, think_s)
                )
                thread.start()
                threads.append(thread)
                time.sleep(ramp_s)
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started
        cpu = tree_cpu_seconds(server.pid) - cpu
        per_worker = [process_cpu_seconds(c) - before for c, before in zip(children, per_worker, strict=True)]
    finally:
        if proxy is not None:
            stop_server(proxy)
        stop_server(server)
    return {
        "mode": "protocol (no browser)",
        "workers": workers,
        "through": "nginx (sticky sessions)" if proxy is not None else "the harness, sessions in turn",
        "warehouse": warehouse.rsplit("/", 1)[-1],
        "users": users,
        "ramp_s": ramp_s,
        "think_s": list(think_s),
        "seconds": round(elapsed, 1),
        **results.summary(),
        "server_cpu_cores": round(cpu / elapsed, 2),
        # How the sessions spread: CPU seconds of each worker process (one entry without --workers).
        "worker_cpu_seconds": [round(c, 1) for c in per_worker] if workers > 1 else [round(cpu, 1)],
        "server_idle_rss_mb": round(idle_mb),
        "server_peak_rss_mb": round(memory.peak_mb),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--ramp", type=float, default=1.0)
    parser.add_argument(
        "--think", type=think_range, default=STRESS_THINK_S, help="MIN,MAX seconds between clicks"
    )
    parser.add_argument("--workers", type=int, default=1, help="leadline serve --workers N")
    parser.add_argument(
        "--nginx", help="nginx binary for the proxy in front of the workers (default: on PATH)"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    nginx = nginx_binary(args.nginx) if args.workers > 1 else None
    report = run(args.warehouse, args.users, args.seconds, args.ramp, args.think, args.workers, nginx)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
