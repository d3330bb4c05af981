"""The OIDC harness works: Streamlit's st.login completes against the local provider in Chromium.

This checks the harness alone (a probe app, no Leadline code), so that a failure of the
end-to-end sign-in tests points at Leadline, not at the provider or the browser.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.oidc import (
    OidcProvider,
    TestUser,
    free_port,
    oidc_provider,
    sign_in,
    sign_out,
    wait_for_port,
    write_secrets,
)

pytestmark = pytest.mark.browser
PROBE_APP = Path(__file__).with_name("signin_probe_app.py")
ANNA = TestUser("anna@brand-a.example", groups=("leadline-brand-a", "staff"))


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[tuple[OidcProvider, str]]:
    with oidc_provider([ANNA]) as provider:
        port = free_port()
        write_secrets(tmp_path, provider.auth_section(port))
        command = [
            sys.executable, "-m", "streamlit", "run", str(PROBE_APP),
            "--server.headless=true", f"--server.port={port}", "--server.address=localhost",
            "--browser.gatherUsageStats=false",
        ]  # fmt: skip
        log = (tmp_path / "streamlit.log").open("w")
        server = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port)
            yield provider, f"http://localhost:{port}/"
        finally:
            server.terminate()
            server.wait(10)
            log.close()


def test_sign_in_and_out_through_the_local_provider(probe: tuple[OidcProvider, str], browser: Any) -> None:
    from playwright.sync_api import expect

    provider, app_url = probe
    context = browser.new_context()  # the session's Chromium (tests/browser/conftest.py), fresh cookies
    try:
        page = context.new_page()
        page.goto(app_url)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
        sign_in(page, provider, ANNA.email)
        expect(page.get_by_text(f"signed in as {ANNA.email}")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("groups: leadline-brand-a, staff")).to_be_visible()
        sign_out(page, provider)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("signed in as")).to_have_count(0)
    finally:
        context.close()
