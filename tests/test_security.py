"""Security of a running server: sign-in secrets, XSRF and cross-origin protection, no secret in
any message or log.

Each property is checked on a real `leadline serve` (or the real CLI): a weak or missing
cookie_secret stops the server from starting; uploads without an XSRF token are refused;
WebSockets from another origin, and (in demo mode) under a host name other than localhost,
are refused; a warehouse password never appears in what users, logs or the CLI see.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from websockets.sync.client import connect

from common.errors import SettingsError
from dashboard.cli import main as cli
from dashboard.commands.serve import CONFIG_FILE, streamlit_command
from tests.conftest import write_demo_url
from tests.serve_helpers import ROOT, free_port, session_message, start_server, stop_server, wait_for_health
from tests.test_app_pages import APP, texts
from tests.test_app_roles import ACCESS

PASSWORD = "S3cret-Passw0rd-xyz"
# A PostgreSQL URL with a password, on a port nobody listens on: every query fails.
SECRET_URL = f"postgresql+psycopg://leadline:{PASSWORD}@127.0.0.1:1/warehouse"
STRONG_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"
CLIENT_SECRET = "client-Secret-0987654321"
AUTH_TEMPLATE = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
{cookie_line}
client_id = "leadline"
client_secret = "{client_secret}"
server_metadata_url = "http://localhost:9/.well-known/openid-configuration"
"""


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_demo_url(tmp_path_factory, "security", leads=500, seed=5)


@pytest.fixture(scope="module")
def demo_server(demo_url: str) -> Iterator[int]:
    """`leadline serve` in demo mode (no sign-in) on a free port."""
    port = free_port()
    process = start_server(port, demo_url)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
        yield port
    finally:
        stop_server(process)


def websocket(port: int, host: str = "127.0.0.1", origin: str | None = None) -> str:
    """'accepted' or why the server refused a WebSocket to ``host`` from page ``origin``."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    headers = {"Origin": origin} if origin else None
    uri = f"ws://{host}:{port}/_stcore/stream"
    try:
        with connect(uri, sock=sock, subprotocols=["streamlit"], additional_headers=headers, open_timeout=10):
            return "accepted"
    except Exception as exc:
        return f"refused: {exc}"


@pytest.mark.slow
def test_upload_without_xsrf_token_is_refused(demo_server: int) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{demo_server}/_stcore/upload_file/session/file", data=b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


@pytest.mark.slow
@pytest.mark.parametrize(
    ("host", "origin", "accepted"),
    [
        ("127.0.0.1", None, True),
        ("localhost", "http://localhost:{port}", True),
        ("127.0.0.1", "http://evil.example", False),  # another web site's page in the user's browser
        ("evil.example", "http://evil.example:{port}", False),  # DNS rebinding onto 127.0.0.1
    ],
)
def test_websockets_only_from_the_dashboard_itself(
    demo_server: int, host: str, origin: str | None, accepted: bool
) -> None:
    outcome = websocket(demo_server, host, origin.format(port=demo_server) if origin else None)
    assert (outcome == "accepted") is accepted, outcome


@pytest.mark.parametrize(("option", "value"), [("enableXsrfProtection", "false"), ("enableCORS", "false")])
def test_serve_refuses_a_config_that_turns_protection_off(tmp_path: Path, option: str, value: str) -> None:
    config = tmp_path / "streamlit_config.toml"
    config.write_text(CONFIG_FILE.read_text().replace(f"{option} = true", f"{option} = {value}"))
    assert f"{option} = {value}" in config.read_text()
    with pytest.raises(SettingsError, match=f"server.{option}"):
        streamlit_command(config, port=None, demo_mode=True)


def test_the_protections_reach_the_server_command() -> None:
    command = streamlit_command(CONFIG_FILE, port=None, demo_mode=True)
    assert "--server.enableXsrfProtection=true" in command
    assert "--server.enableCORS=true" in command
    assert "--client.showErrorDetails=none" in command
    assert {"--server.allowedHosts=localhost", "--server.allowedHosts=127.0.0.1"} <= set(command)


def serve_with_secrets(tmp_path: Path, secrets: str, demo_url: str, port: int = 0) -> subprocess.Popen[bytes]:
    """`leadline serve` in a folder whose .streamlit/secrets.toml is ``secrets``."""
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(secrets)
    (tmp_path / "access.toml").write_text(ACCESS)
    script = Path(sys.executable).with_name("leadline")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLINE_")}
    return subprocess.Popen(
        [str(script), "serve", "--port", str(port or free_port()), "--warehouse", demo_url],
        cwd=tmp_path,
        env={**env, "LEADLINE_ACCESS_FILE": str(tmp_path / "access.toml")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.mark.parametrize(
    ("cookie_line", "problem"),
    [
        ("", "cookie_secret is missing"),
        ('cookie_secret = "changeme"', "cookie_secret is a placeholder"),
        ('cookie_secret = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"', "cookie_secret is too weak"),
        ('cookie_secret = "short-Secret-1"', "cookie_secret is too weak"),
    ],
)
def test_serve_refuses_to_start_with_a_weak_or_missing_cookie_secret(
    tmp_path: Path, demo_url: str, cookie_line: str, problem: str
) -> None:
    secrets = AUTH_TEMPLATE.format(cookie_line=cookie_line, client_secret=CLIENT_SECRET)
    process = serve_with_secrets(tmp_path, secrets, demo_url)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        stop_server(process)
    said = output.decode()
    assert process.returncode == 2, said
    assert problem in said
    assert CLIENT_SECRET not in said
    secret = cookie_line.partition('"')[2].rstrip('"')
    assert not secret or secret not in said


@pytest.mark.slow
def test_serve_starts_with_a_strong_cookie_secret(tmp_path: Path, demo_url: str) -> None:
    secrets = AUTH_TEMPLATE.format(
        cookie_line=f'cookie_secret = "{STRONG_SECRET}"', client_secret=CLIENT_SECRET
    )
    port = free_port()
    process = serve_with_secrets(tmp_path, secrets, demo_url, port)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
    finally:
        stop_server(process)
    output = process.stdout.read().decode() if process.stdout else ""
    assert STRONG_SECRET not in output and CLIENT_SECRET not in output


def test_the_app_itself_refuses_a_weak_cookie_secret(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started without `leadline serve` (streamlit run): still no page, no number, no secret shown."""
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "changeme",
        "client_id": "leadline",
        "client_secret": CLIENT_SECRET,
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert at.error and "cookie_secret is a placeholder" in at.error[0].value
    assert not at.metric
    assert CLIENT_SECRET not in texts(at) and "changeme" not in texts(at)


def test_a_warehouse_password_is_never_shown_on_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLINE_WAREHOUSE_URL", SECRET_URL)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.error and "did not answer" in at.error[0].value
    assert "leadline:***@127.0.0.1:1" in at.error[0].value
    assert PASSWORD not in texts(at)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--warehouse", SECRET_URL],
        ["metrics", "--warehouse", SECRET_URL, "--start", "2025-01-01", "--end", "2025-01-31"],
    ],
    ids=["check", "metrics"],
)
def test_a_warehouse_password_is_never_printed_by_the_cli(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(args)
    said = capsys.readouterr()
    assert code != 0
    assert "***" in said.err
    assert PASSWORD not in said.out + said.err


@pytest.mark.slow
def test_a_warehouse_password_is_never_in_the_server_log() -> None:
    port = free_port()
    process = start_server(port, SECRET_URL)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
        # A browser-like session: the app runs once (and meets the dead warehouse).
        finished = session_message(port, "script_finished", within=500) is not None
    finally:
        stop_server(process)
    log = process.stdout.read().decode() if process.stdout else ""
    assert finished, log[-2000:]
    assert "Uvicorn server started" in log  # the log was captured
    assert PASSWORD not in log


def test_root_of_the_project_has_no_secrets_file_in_git() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", ".streamlit"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert ".streamlit/secrets.toml" not in tracked
