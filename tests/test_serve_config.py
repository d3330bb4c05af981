"""streamlit_config.toml is the configuration the server really uses, proven on a running server.

`leadline serve` passes every key of the file as a command-line flag. The running server
must then report the file's values (port, address, theme colour, toolbar mode) even when
STREAMLIT_* variables say otherwise.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.NewSession_pb2 import Config as SessionConfig

from common.errors import SettingsError
from dashboard.commands.serve import CONFIG_FILE, config_flags, streamlit_command
from tests.serve_helpers import free_port, session_message, start_server, stop_server, wait_for_health

CONFIG = tomllib.loads(CONFIG_FILE.read_text())


def test_every_key_of_the_file_becomes_a_flag() -> None:
    command = streamlit_command(CONFIG_FILE, port=None, demo_mode=False)
    expected = {f"--{section}.{key}" for section, options in CONFIG.items() for key in options}
    given = {arg.split("=", 1)[0] for arg in command if arg.startswith("--")}
    assert given == expected
    assert command[1:5] == ["-m", "streamlit", "run", command[4]] and command[4].endswith("dashboard/app.py")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"server": {"headless": True, "port": 8501}},
            {"server.headless": ["true"], "server.port": ["8501"]},
        ),
        ({"theme": {"font": "sans serif"}}, {"theme.font": ["sans serif"]}),
        ({"client": {"showErrorDetails": "none"}}, {"client.showErrorDetails": ["none"]}),
        ({"server": {"folderWatchList": ["a", "b"]}}, {"server.folderWatchList": ["a", "b"]}),
    ],
)
def test_values_become_flag_values(
    config: dict[str, dict[str, object]], expected: dict[str, list[str]]
) -> None:
    assert config_flags(config) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"server": {"prot": 1}}, "server.prot"),
        ({"port": 8501}, "outside a [section]"),
    ],
)
def test_a_key_streamlit_does_not_know_fails_loudly(config: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("[", r"\[")):
        config_flags(config)


def test_demo_mode_binds_to_localhost_and_port_option_wins() -> None:
    command = streamlit_command(CONFIG_FILE, port=9123, demo_mode=True)
    assert "--server.address=127.0.0.1" in command
    assert [a for a in command if a.startswith("--server.port=")] == ["--server.port=9123"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`leadline serve` on a free port, with STREAMLIT_* variables that contradict the file."""
    port = free_port()
    warehouse = Path(tmp_path_factory.mktemp("serve")) / "none.duckdb"
    contradicting = {
        "STREAMLIT_THEME_PRIMARY_COLOR": "#ff0000",
        "STREAMLIT_CLIENT_TOOLBAR_MODE": "developer",
        "STREAMLIT_SERVER_PORT": str(free_port()),
        "STREAMLIT_SERVER_ADDRESS": "0.0.0.0",  # the value demo mode must override
    }
    process = start_server(port, f"duckdb:///{warehouse}", env=contradicting)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
        yield port
    finally:
        stop_server(process)


@pytest.mark.slow
def test_the_running_server_uses_the_files_theme_and_toolbar(served: int) -> None:
    session = session_message(served, "new_session", within=200)
    assert session is not None, "the server sent no NewSession message"
    assert session.new_session.custom_theme.primary_color == CONFIG["theme"]["primaryColor"]
    toolbar = SessionConfig.ToolbarMode.Name(session.new_session.config.toolbar_mode).lower()
    assert toolbar == CONFIG["client"]["toolbarMode"]
    assert session.new_session.config.gather_usage_stats is CONFIG["browser"]["gatherUsageStats"]


@pytest.mark.slow
def test_the_running_server_listens_on_localhost_only(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5):
        pass
    listening = _listening_addresses(served)
    if listening is None:
        pytest.skip("no /proc/net/tcp on this system to read listening sockets from")
    assert listening == {"127.0.0.1"}


def _listening_addresses(port: int) -> set[str] | None:
    """The local IPv4/IPv6 addresses with a socket listening on ``port`` (Linux /proc)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            return None
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return socket.inet_ntoa(bytes.fromhex(hex_address)[::-1])
    raw = b"".join(bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, 32, 8))
    return socket.inet_ntop(socket.AF_INET6, raw)


@pytest.mark.slow
def test_workers_serve_on_consecutive_ports_with_one_cookie_secret_and_stop_together(tmp_path: Path) -> None:
    first = free_port()
    while any(_listening_addresses(first + n) for n in (1, 2)):  # the two ports after it free too
        first = free_port()
    process = start_server(first, f"duckdb:///{tmp_path / 'none.duckdb'}", "--workers", "3")
    try:
        for port in (first, first + 1, first + 2):
            wait_for_health(f"http://127.0.0.1:{port}", process)
            assert _listening_addresses(port) == {"127.0.0.1"}  # demo mode on every worker
            assert session_message(port, "new_session", within=200) is not None
        workers = _children(process.pid)
        assert len(workers) == 3
        secrets = {_environ(pid).get("STREAMLIT_SERVER_COOKIE_SECRET") for pid in workers}
        assert len(secrets) == 1 and None not in secrets  # the same secret, not on a command line
        assert not any("cookieSecret" in _cmdline(pid) for pid in workers)
        os.kill(process.pid, signal.SIGTERM)  # the parent alone, as a service manager would
        process.wait(timeout=20)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(_gone(pid) for pid in workers):
            time.sleep(0.2)
        assert all(_gone(pid) for pid in workers)
    finally:
        stop_server(process)
        with contextlib.suppress(ProcessLookupError):  # workers left behind by a failure above
            os.killpg(process.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(p.decode(errors="replace").split("=", 1) for p in pairs if b"=" in p)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
