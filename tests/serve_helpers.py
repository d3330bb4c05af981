"""Starting `leadline serve` as a child process for tests, and stopping it again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_health(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return once /_stcore/health answers ok; fail with the server's output if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"leadline serve exited with {process.returncode}:\n{output[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"leadline serve did not answer on {base_url} within {timeout} s")


def start_server(
    port: int, warehouse_url: str, *extra: str, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`leadline serve --port PORT --warehouse URL` as a child process (its own process group).

    LEADLINE_* variables of the test run are not passed on; ``env`` adds variables.
    """
    script = Path(sys.executable).with_name("leadline")  # the console script `make run` uses
    leadline = [str(script)] if script.exists() else [sys.executable, "-m", "dashboard.cli"]
    command = [*leadline, "serve", "--port", str(port), "--warehouse", warehouse_url]
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLINE_")}
    return subprocess.Popen(
        [*command, *extra],
        cwd=ROOT,
        env={**child_env, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its process group only)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def session_message(port: int, kind: str, *, within: int) -> Any:
    """Open a session over Streamlit's WebSocket (as a browser does), ask for the default page, and
    return the first ForwardMsg of type ``kind`` among the first ``within`` messages (None if none)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    request = BackMsg()
    request.rerun_script.query_string = ""
    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"], open_timeout=20) as ws:
        ws.send(request.SerializeToString())
        for _ in range(within):
            message = ForwardMsg()
            message.ParseFromString(ws.recv(timeout=60))
            if message.WhichOneof("type") == kind:
                return message
    return None
