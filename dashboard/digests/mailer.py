"""Sending e-mail through the server the setting ``smtp_url`` names.

``smtp://host:25`` (no encryption, for a relay on the same host), ``smtp+starttls://user:password@host:587``
(STARTTLS, then login) and ``smtps://user:password@host:465`` (TLS from the start). The server's
certificate is checked against the system's authorities, or the file ``smtp_ca_file`` names.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from common import settings
from common.errors import SettingsError

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to send: host, port, TLS mode and login."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """The target without the password, for logs and messages."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """The SmtpTarget of ``url``; SettingsError saying what is wrong and the forms that work."""
    forms = "smtp://host:25, smtp+starttls://user:password@host:587 or smtps://user:password@host:465"
    if not url.strip():
        raise SettingsError(
            "The setting smtp_url is empty, so no e-mail can be sent.",
            f"Set LEADLINE_SMTP_URL to {forms} (docs/settings.md).",
        )
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SettingsError(
            f"The setting smtp_url ({parts.scheme}://…) is not a mail server address Leadline knows.",
            f"Use {forms}.",
        )
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise SettingsError(
            "The setting smtp_url has a port that is not a number.", f"Use {forms}."
        ) from None
    if parts.username and parts.scheme == "smtp":
        raise SettingsError(
            "smtp_url gives a login without encryption; the password would cross the network in clear.",
            "Use smtp+starttls:// or smtps://.",
        )
    return SmtpTarget(
        parts.scheme,
        parts.hostname,
        port,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def _tls_context() -> ssl.SSLContext:
    ca_file = str(settings.get("smtp_ca_file") or "").strip()
    return ssl.create_default_context(cafile=ca_file or None)


class Mailer:
    """One connection to the mail server for a run; ``send`` raises smtplib/OSError on failure."""

    def __init__(self, target: SmtpTarget, timeout: float = 30.0) -> None:
        self.target = target
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        smtp: smtplib.SMTP
        if t.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=_tls_context())
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            if t.scheme == "smtp+starttls":
                smtp.starttls(context=_tls_context())
        if t.username:
            smtp.login(t.username, t.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message (reconnecting once if the server dropped the connection)."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = self._connect()
            self._smtp.send_message(message)

    def close(self) -> None:
        """Say goodbye to the server."""
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None


def mailer_from_settings() -> Mailer:
    """A Mailer for the setting ``smtp_url`` (SettingsError when it is empty or malformed)."""
    return Mailer(parse_smtp_url(str(settings.get("smtp_url"))))
