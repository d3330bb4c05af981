"""A real OpenID Connect provider on localhost for browser tests, and the clicks to sign in and out.

The provider is ``oidc-provider-mock`` (Authlib's server underneath): discovery, the
authorization-code flow with PKCE and nonce, signed ID tokens, userinfo and an end-session
endpoint, served by werkzeug on a free localhost port in a thread of the test process.
Each test user is registered with the claims their ID token carries (``email``,
``email_verified``, ``name`` and a ``groups`` claim), and appears as a button on the
provider's authorization page, which ``sign_in`` clicks like a person would.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CLIENT_ID = "leadline-browser-tests"
SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class TestUser:
    """A person the provider can sign in, with the claims their ID token carries."""

    __test__ = False  # not a test class, despite the name

    email: str
    groups: tuple[str, ...] = ()
    name: str = ""
    # None: the ID token carries no email_verified claim at all (as some providers send it).
    email_verified: bool | str | None = True
    extra_claims: dict[str, Any] = field(default_factory=dict)

    def claims(self) -> dict[str, object]:
        """The ID-token claims besides ``sub`` (which is the e-mail)."""
        verified = {} if self.email_verified is None else {"email_verified": self.email_verified}
        return {
            "email": self.email,
            **verified,
            "name": self.name or self.email.split("@")[0],
            "groups": list(self.groups),
            **self.extra_claims,
        }


@dataclass(frozen=True)
class OidcProvider:
    """A running provider: its issuer URL (``http://localhost:PORT``)."""

    issuer: str

    @property
    def metadata_url(self) -> str:
        """The discovery document Streamlit's ``server_metadata_url`` points at."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def auth_section(self, app_port: int, *, cookie_secret: str | None = None) -> str:
        """The ``[auth]`` section of secrets.toml for an app on ``localhost:app_port``."""
        return (
            "[auth]\n"
            f'redirect_uri = "http://localhost:{app_port}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret or secrets.token_hex(32)}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            'client_secret = "browser-test-secret"\n'
            f'server_metadata_url = "{self.metadata_url}"\n'
        )


@contextmanager
def oidc_provider(users: Sequence[TestUser]) -> Iterator[OidcProvider]:
    """Run the provider, with ``users`` registered, until the block ends."""
    from oidc_provider_mock import User, run_server_in_thread

    registered = [User(sub=u.email, claims=u.claims()) for u in users]
    with run_server_in_thread(port=0, user_claims=registered) as server:
        yield OidcProvider(f"http://localhost:{server.server_port}")


def write_secrets(directory: Path, text: str) -> Path:
    """Write ``directory/.streamlit/secrets.toml`` (Streamlit reads it from its working directory)."""
    path = directory / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0, host: str = "localhost") -> None:
    """Return once something accepts connections on ``host:port``; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on {host}:{port} within {timeout:.0f} s")


def sign_in(page: Any, provider: OidcProvider, email: str, *, button: str = "Sign in") -> None:
    """Click the app's sign-in button, pick ``email`` on the provider's page, wait until back.

    The page must show the app's sign-in page. Returns once the browser is back on the app
    (the provider has redirected to /oauth2callback and Streamlit on to the app).
    """
    app_origin = page.url.split("/", 3)[:3]
    page.get_by_role("button", name=button).first.click()
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize*", timeout=SIGN_IN_TIMEOUT_MS)
    page.locator(f'button[name="sub"][value="{email}"]').click()
    page.wait_for_url(lambda url: url.startswith("/".join(app_origin)), timeout=SIGN_IN_TIMEOUT_MS)


def sign_out(page: Any, provider: OidcProvider, *, button: str = "Sign out") -> None:
    """Click the app's sign-out button and confirm on the provider's end-session page."""
    page.get_by_role("button", name=button).first.click()
    page.wait_for_url(f"{provider.issuer}/oauth2/end_session*", timeout=SIGN_IN_TIMEOUT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: not url.startswith(provider.issuer), timeout=SIGN_IN_TIMEOUT_MS)
