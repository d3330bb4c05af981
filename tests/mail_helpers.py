"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for the digest tests."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.serve_helpers import free_port


@dataclass
class Received:
    """One message as the server got it: envelope recipients and the parsed message."""

    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        """The text of the first part of ``content_type`` (text/plain, text/html)."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return str(part.get_content())
        raise AssertionError(f"no {content_type} part in {self.message['Subject']!r}")

    def images(self) -> list[bytes]:
        """The inline images."""
        return [bytes(p.get_content()) for p in self.message.walk() if p.get_content_maintype() == "image"]


@dataclass
class Sink:
    """An aiosmtpd handler that keeps every message."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 OK"


class SmtpServer:
    """``with SmtpServer() as smtp:`` a server on a free port; ``smtp.url`` for the smtp_url setting."""

    def __init__(self, **controller_args: Any) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **controller_args)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.sink.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
