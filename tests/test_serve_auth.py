"""`leadline serve` refuses to start with a weak or incomplete [auth] section, or without a valid access file.

Each case runs the command in a folder of its own whose .streamlit/secrets.toml holds the
case (Streamlit reads secrets from the working directory), so no server ever starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each case starts the app or a process
ROOT = Path(__file__).resolve().parent.parent
STRONG = "7c2f9e1a5b3d8c4e6f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c"
PROVIDER = (
    'client_id = "leadline"\nclient_secret = "s"\n'
    'server_metadata_url = "https://id.example.com/.well-known/openid-configuration"\n'
)
ACCESS = '[[grant]]\nrole = "admin"\nemails = ["a@example.com"]\n'


def serve(tmp_path: Path, secrets: str, access: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(secrets, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLINE_")}
    env["PYTHONPATH"] = str(ROOT)
    if access is not None:
        (tmp_path / "access.toml").write_text(access, encoding="utf-8")
        env["LEADLINE_ACCESS_FILE"] = str(tmp_path / "access.toml")
    # --port 1 would fail to bind: a run that gets past the checks is stopped by the timeout instead.
    command = [sys.executable, "-m", "dashboard.cli", "serve", "--config", str(tmp_path / "none.toml")]
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("secrets", "access", "message"),
    [
        (f'[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "xxx"\n{PROVIDER}', ACCESS,
         "cookie_secret is a placeholder"),
        (f'[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "{STRONG}"\n{PROVIDER}', None,
         "the setting access_file (LEADLINE_ACCESS_FILE) is empty"),
        (f'[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "{STRONG}"\n{PROVIDER}',
         '[[grant]]\nrole = "boss"\n', "role 'boss' is not one of"),
    ],
)  # fmt: skip
def test_serve_refuses_to_start(tmp_path: Path, secrets: str, access: str | None, message: str) -> None:
    result = serve(tmp_path, secrets, access)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_without_auth_it_gets_past_the_checks_to_the_config(tmp_path: Path) -> None:
    """Demo mode: no [auth], no access file needed; it stops only at the (missing) server config."""
    result = serve(tmp_path, '[leadline]\nmin_group_size = "5"\n', None)
    assert result.returncode == 2 and "none.toml does not exist" in result.stderr
